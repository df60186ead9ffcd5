package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// demoOrg is the demonstration organisation's code.
const demoOrg = "DEMO"

// runDemo starts the service on a fresh SQLite file holding a demo
// organisation, a key per role and a few conferences, some not ready, and
// prints commands that work against it as they stand.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet("demo", stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CPCREADY_ADDR)")
	file := fs.String("db", "cpcready-demo.db", "the SQLite file to create afresh")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if store.IsPostgresURL(*file) {
		return fmt.Errorf("demo runs on a SQLite file only")
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(*file + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	cfg.DatabaseURL = *file
	cfg.Web.Demo = true
	cfg.Web.InsecureCookie = cfg.TLSCert == ""
	db, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	keys := map[domain.Role]string{}
	for _, role := range domain.Roles {
		key, hash, err := auth.NewAPIKey()
		if err != nil {
			return err
		}
		if _, err := db.CreateAPIKey(ctx, demoOrg, role, "demo "+string(role), hash); err != nil {
			return err
		}
		keys[role] = key
	}
	ids, err := seedDemo(ctx, db)
	if err != nil {
		return err
	}
	if err := seedDemoHistory(ctx, db); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := "http://" + hostPort(ln.Addr())
	fmt.Fprintf(stdout, `cpcready demo: %s (SQLite file %s, organisation %s)

Web app:  %s/  (sign in as a social worker, chair, manager or admin)
API:      %s/v1

Demo keys, one per role (this database only):
  case_system    %s
  social_worker  %s
  chair          %s
  manager        %s
  admin          %s

Try:
  curl -s -H 'Authorization: Bearer %s' '%s/v1/conferences?readiness=not_ready'
  curl -s -H 'Authorization: Bearer %s' '%s/v1/conferences/%s/readiness'
  curl -s -H 'Authorization: Bearer %s' '%s/v1/conferences/%s/professionals'
  curl -s -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' -d '{"decision":"postpone","note":"Reports not shared"}' '%s/v1/conferences/%s/readiness-checks'
  open %s/docs for the API reference. Press Ctrl-C to stop.

`, base, *file, demoOrg, base, base,
		keys[domain.RoleCaseSystem], keys[domain.RoleSocialWorker], keys[domain.RoleChair], keys[domain.RoleManager], keys[domain.RoleAdmin],
		keys[domain.RoleManager], base, keys[domain.RoleChair], base, ids[0], keys[domain.RoleManager], base, ids[0],
		keys[domain.RoleChair], base, ids[0], base)
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	return serve(ctx, cfg, db, ln, log, nil)
}

func hostPort(a net.Addr) string {
	s := a.String()
	if strings.HasPrefix(s, "[::]:") || strings.HasPrefix(s, "0.0.0.0:") {
		return "localhost:" + s[strings.LastIndex(s, ":")+1:]
	}
	return s
}

// seedDemo writes the demo conferences through the store, as a case system
// would, and returns their ids, the least ready first.
func seedDemo(ctx context.Context, db *store.DB) ([]string, error) {
	cs := domain.Principal{Kind: domain.PrincipalSystem, ID: "demo-seed", Name: "demo seed", Role: domain.RoleCaseSystem, Org: demoOrg}
	today := domain.DateOf(db.Now())
	at := func(days int) domain.Timestamp {
		d := today.AddDays(days)
		return domain.Timestamp{Time: time.Date(d.Time().Year(), d.Time().Month(), d.Time().Day(), 10, 0, 0, 0, domain.London).UTC()}
	}
	past := func(days int) *domain.Date { d := today.AddDays(-days); return &d }
	yes := true
	var ids []string
	// Each conference is created whole, as a case system can, and so goes
	// through the same checks as every part the API adds.
	add := func(f domain.ConferenceFields, build func(c *domain.Conference)) error {
		whole := &domain.Conference{ConferenceFields: f}
		build(whole)
		c, err := db.CreateConferenceWith(ctx, cs, whole.ConferenceFields, store.Parts{Participants: whole.Participants, Reports: whole.Reports, Professionals: whole.Professionals})
		if err != nil {
			return err
		}
		ids = append(ids, c.ID)
		return nil
	}
	person := func(name string, rel string, att domain.Attendance) domain.Participant {
		return domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: name, Relationship: rel, Invited: &yes, Attendance: att,
		}, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
	}
	talked := func(p *domain.Participant, with string) {
		p.Contacts = append(p.Contacts, domain.Contact{ID: uuid.NewString(), With: with, On: past(1), Method: "phone"})
	}
	informed := func(p *domain.Participant) {
		p.ParentalResponsibility, p.InformedOn, p.AdvocacyOfferedOn = true, past(4), past(4)
	}
	report := func(agency, title string, shareWith ...*domain.Participant) domain.Report {
		r := domain.Report{ID: uuid.NewString(), Agency: agency, Title: title, ReceivedOn: past(3), SharedWithChairOn: past(2), Shares: []domain.Share{}}
		for _, p := range shareWith {
			r.Shares = append(r.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: past(1), Language: "en", Format: domain.FormatWritten})
		}
		return r
	}
	professional := func(agency, role, name, attendance string) domain.Professional {
		expected := agency != "social_care"
		return domain.Professional{ID: uuid.NewString(), ProfessionalFields: domain.ProfessionalFields{
			Agency: agency, Role: role, Name: name, Attendance: attendance, ReportExpected: &expected,
		}}
	}
	steps := []struct {
		f     domain.ConferenceFields
		build func(c *domain.Conference)
	}{
		{domain.ConferenceFields{ExternalRef: "DEMO-001", Type: domain.TypeInitial, ScheduledStart: at(2), Format: "video",
			StrategyDiscussionOn: past(10), Chair: &domain.Person{Ref: "CH-1", Name: "Demo Chair"}, SocialWorker: &domain.Person{Ref: "SW-1", Name: "Demo Social Worker"},
			Children: []domain.Child{{Ref: "C-1", Name: "Demo Child"}}},
			func(c *domain.Conference) {
				mum := person("Demo Parent A", "mother", domain.AttendanceVideo)
				mum.Needs = append(mum.Needs, domain.Need{Kind: "technology", Status: domain.NeedIdentified, Detail: "needs a laptop"})
				informed(&mum)
				c.Participants = append(c.Participants, mum, person("Demo Parent B", "father", domain.AttendanceUnknown))
				// Not quorate: only children's social care and the police
				// have confirmed; health has not answered.
				c.Professionals = append(c.Professionals,
					professional("social_care", "Team manager", "Demo Team Manager", domain.ProfessionalConfirmed),
					professional("police", "Detective constable", "Demo Officer", domain.ProfessionalConfirmed),
					professional("health", "Health visitor", "Demo Health Visitor", domain.ProfessionalInvited))
			}},
		{domain.ConferenceFields{ExternalRef: "DEMO-002", Type: domain.TypeReview, ScheduledStart: at(9), Format: "in_person",
			PreviousConferenceOn: past(80), PreviousConferenceType: domain.TypeInitial,
			Chair: &domain.Person{Ref: "CH-1", Name: "Demo Chair"}, SocialWorker: &domain.Person{Ref: "SW-2", Name: "Demo Social Worker"},
			Children: []domain.Child{{Ref: "C-2", Name: "Demo Child"}}},
			func(c *domain.Conference) {
				c.Children[0].Views = &domain.ChildViews{Means: "written", RecordedOn: past(2), SharedOn: past(1)}
				dad := person("Demo Parent C", "father", domain.AttendanceInPerson)
				dad.NeedsAssessedOn = past(5)
				talked(&dad, "social_worker")
				talked(&dad, "chair")
				informed(&dad)
				c.Participants = append(c.Participants, dad)
				c.Reports = append(c.Reports, report("social_care", "Social work report", &c.Participants[0]),
					report("education", "School report", &c.Participants[0]))
				c.Professionals = append(c.Professionals,
					professional("social_care", "Team manager", "Demo Team Manager", domain.ProfessionalConfirmed),
					professional("education", "Designated safeguarding lead", "Demo Teacher", domain.ProfessionalConfirmed),
					professional("health", "School nurse", "Demo Nurse", domain.ProfessionalConfirmed))
				*c.Professionals[2].ReportExpected = false
			}},
		// A pre-birth conference for an unborn child, held after week 28:
		// the baby is due ten weeks after it.
		{domain.ConferenceFields{ExternalRef: "DEMO-003", Type: domain.TypePreBirth, ScheduledStart: at(14), Format: "hybrid",
			ExpectedDeliveryOn: ptr(today.AddDays(14 + 70)), Children: []domain.Child{{Ref: "U-1", Unborn: true}},
			Chair: &domain.Person{Ref: "CH-2", Name: "Demo Chair"}, SocialWorker: &domain.Person{Ref: "SW-1", Name: "Demo Social Worker"}},
			func(c *domain.Conference) {
				mum := person("Demo Parent D", "mother", domain.AttendancePhone)
				mum.NeedsAssessedOn = past(2)
				mum.Needs = append(mum.Needs, domain.Need{Kind: domain.NeedLanguage, Status: domain.NeedArranged, Language: "pl", Interpreter: domain.InterpreterProfessional})
				mum.Safety = &domain.Safety{Concern: "domestic_abuse"}
				talked(&mum, "social_worker")
				informed(&mum)
				c.Participants = append(c.Participants, mum)
				c.Reports = append(c.Reports, report("social_care", "Pre-birth assessment", &c.Participants[0]), report("health", "Midwife report"))
				c.Professionals = append(c.Professionals,
					professional("social_care", "Social worker", "Demo Social Worker", domain.ProfessionalConfirmed),
					professional("health", "Community midwife", "Demo Midwife", domain.ProfessionalConfirmed),
					professional("police", "Domestic abuse officer", "Demo Officer", domain.ProfessionalConfirmed))
			}},
	}
	for _, s := range steps {
		if err := add(s.f, s.build); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func ptr[T any](v T) *T { return &v }
