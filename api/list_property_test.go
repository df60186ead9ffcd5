package api_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/workdays"
)

// The list answers readiness and overdue filters from stored summaries;
// this test generates many conferences and checks that every filter gives
// exactly the conferences a live evaluation picks, under two policies and
// at two instants.

const rrPropertyConferences = 1000

// rrGen generates conferences around a date. A "good" conference has few
// defects, so that a fair share of conferences is ready.
type rrGen struct {
	rng   *rand.Rand
	today domain.Date
	pd    float64 // the chance of each defect
}

func (g *rrGen) defect() bool          { return g.rng.Float64() < g.pd }
func (g *rrGen) chance(p float64) bool { return g.rng.Float64() < p }
func (g *rrGen) past(maxDays int) *domain.Date {
	d := g.today.AddDays(-g.rng.IntN(maxDays + 1))
	return &d
}

func rrPick[T any](g *rrGen, xs ...T) T { return xs[g.rng.IntN(len(xs))] }

// fields are a conference's top-level fields: held between ten days ago
// and thirty days ahead, at one of two times, so that many share an instant
// and the cursor's tie-break on id is exercised.
func (g *rrGen) fields(i int) domain.ConferenceFields {
	day := g.today.AddDays(g.rng.IntN(41) - 10).Time()
	start := time.Date(day.Year(), day.Month(), day.Day(), rrPick(g, 10, 14), 0, 0, 0, domain.London).UTC()
	f := domain.ConferenceFields{
		ExternalRef:    "PROP-" + uuid.NewString()[:8] + "-" + string(rune('a'+i%26)),
		Type:           rrPick(g, domain.TypeInitial, domain.TypeInitial, domain.TypeReview, domain.TypePreBirth),
		Format:         rrPick[domain.Format](g, "in_person", "video", "phone", "hybrid"),
		ScheduledStart: domain.Timestamp{Time: start}, Status: domain.StatusScheduled,
		Chair:        &domain.Person{Ref: "CH-" + rrPick(g, "1", "2"), Name: "Chair"},
		SocialWorker: &domain.Person{Ref: "SW-1", Name: "Social Worker"},
		Children:     []domain.Child{},
	}
	date := domain.DateOf(start)
	switch f.Type {
	case domain.TypeInitial:
		d := date.AddDays(-5 - g.rng.IntN(30))
		if d.After(g.today) {
			d = g.today
		}
		f.StrategyDiscussionOn = &d
	case domain.TypeReview:
		d := date.AddDays(-60 - g.rng.IntN(200))
		f.PreviousConferenceOn = &d
		f.PreviousConferenceType = rrPick[domain.ConferenceType](g, "initial", "review", "")
	}
	for c := range g.rng.IntN(3) {
		f.Children = append(f.Children, domain.Child{Ref: "C-" + string(rune('1'+c)), Name: "Child"})
	}
	// A pre-birth conference is about a child, expected on a date: the
	// store refuses one without, as the API does.
	if f.Type == domain.TypePreBirth {
		due := date.AddDays(70)
		f.ExpectedDeliveryOn = &due
		if len(f.Children) == 0 {
			f.Children = append(f.Children, domain.Child{Ref: "C-1", Unborn: true})
		}
	}
	return f
}

// aggregate fills in family members, reports, shares and children's views.
func (g *rrGen) aggregate(c *domain.Conference) {
	date := c.Date()
	yes, no := true, false
	for range g.rng.IntN(4) {
		p := domain.Participant{ID: uuid.NewString(), Needs: []domain.Need{}, Contacts: []domain.Contact{}}
		p.DisplayName = "Family Member"
		p.Relationship = rrPick(g, "mother", "father", "carer", "grandparent", "young_person")
		p.Invited = &yes
		if g.chance(0.05) {
			p.Invited = &no
		}
		p.Attendance = rrPick[domain.Attendance](g, "in_person", "video", "phone", "not_attending")
		if g.defect() {
			p.Attendance = domain.AttendanceUnknown
		}
		if g.chance(0.03) {
			p.Attendance = domain.AttendanceExcluded
			if !g.defect() {
				p.Exclusion = &domain.Exclusion{DecidedByChairOn: g.past(5), Grounds: "grounds"}
			}
		}
		if !g.defect() {
			p.InformedOn, p.AdvocacyOfferedOn = g.past(8), g.past(8)
		}
		if !g.defect() {
			p.NeedsAssessedOn = g.past(10)
		}
		p.PrivateSpaceConfirmed, p.TechnologyChecked = !g.defect(), !g.defect()
		for _, kind := range []string{"technology", domain.NeedLanguage, "childcare"} {
			if !g.chance(0.2) {
				continue
			}
			n := domain.Need{Kind: kind, Status: rrPick(g, domain.NeedArranged, domain.NeedNotNeeded)}
			if g.defect() {
				n.Status = domain.NeedIdentified
			}
			if kind == domain.NeedLanguage {
				n.Language, n.Interpreter = rrPick(g, "pl", "ur", "ro"), rrPick(g, domain.InterpreterProfessional, domain.InterpreterFamilyMember)
			}
			p.Needs = append(p.Needs, n)
		}
		for _, with := range []string{"social_worker", "chair"} {
			if !g.defect() {
				p.Contacts = append(p.Contacts, domain.Contact{ID: uuid.NewString(), With: with, On: g.past(12), Method: "phone"})
			}
		}
		if g.chance(0.1) {
			p.Safety = &domain.Safety{Concern: "domestic_abuse"}
			if !g.defect() {
				p.Safety.Arrangement = "separate_attendance"
			}
		}
		c.Participants = append(c.Participants, p)
	}
	for r := range g.rng.IntN(4) {
		rep := domain.Report{ID: uuid.NewString(), Agency: rrPick(g, "police", "health", "education"), Title: "Report", Shares: []domain.Share{}}
		if r == 0 && !g.defect() {
			rep.Agency = "social_care"
		}
		for _, p := range c.Participants {
			if g.defect() {
				continue
			}
			s := domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, Language: "en"}
			if n := p.Need(domain.NeedLanguage); n != nil && !g.defect() {
				s.Language = n.Language
			}
			if g.chance(0.1) {
				s.Language, s.Withheld, s.Reason = "", true, "reason"
				if !g.defect() {
					s.ChairAgreedOn = g.past(5)
				}
			} else {
				on := date.AddDays(-g.rng.IntN(12))
				if on.After(g.today) {
					on = g.today
				}
				s.SharedOn = &on
			}
			rep.Shares = append(rep.Shares, s)
		}
		c.Reports = append(c.Reports, rep)
	}
	for i := range c.Reports {
		if !g.defect() {
			c.Reports[i].SharedWithChairOn = g.past(6)
		}
	}
	// A quorum, unless this is a defect.
	notExpected := false
	for _, agency := range []string{"social_care", "police", "health"} {
		if g.defect() {
			continue
		}
		c.Professionals = append(c.Professionals, domain.Professional{ID: uuid.NewString(), ProfessionalFields: domain.ProfessionalFields{
			Agency: agency, Name: "Professional", Attendance: domain.ProfessionalConfirmed, ReportExpected: &notExpected,
		}})
	}
	for i := range c.Children {
		if g.defect() {
			continue
		}
		v := &domain.ChildViews{Means: rrPick(g, "attending", "written", "advocate", "social_worker"), RecordedOn: g.past(10)}
		if !g.defect() {
			v.SharedOn = v.RecordedOn
		}
		c.Children[i].Views = v
	}
}

func TestListPropertyFiltersMatchLiveEvaluation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	seed := domain.Principal{ID: "property-seed", Name: "property seed", Role: domain.RoleCaseSystem, Org: orgA}
	g := &rrGen{rng: rand.New(rand.NewPCG(20261123, 7)), today: domain.DateOf(e.clock.Now())}
	var ids []string
	for i := range rrPropertyConferences {
		g.pd = 0.35
		if g.chance(0.45) {
			g.pd = 0.02
		}
		c, err := e.db.CreateConference(ctx, seed, g.fields(i))
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		ids = append(ids, c.ID)
		if g.chance(0.05) {
			continue // as created: no family, no reports
		}
		_, err = e.db.UpdateConference(ctx, seed, c.ID, nil, func(c *domain.Conference) (domain.Change, error) {
			g.aggregate(c)
			return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, After: map[string]string{"seed": "property"}}, nil
		})
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
	}
	// Another organisation's conferences must never be listed.
	for i := range 5 {
		if _, err := e.db.CreateConference(ctx, domain.Principal{ID: "other", Role: domain.RoleCaseSystem, Org: orgB}, g.fields(i)); err != nil {
			t.Fatal(err)
		}
	}

	// The aggregates as stored, read back without the API.
	confs := make([]domain.Conference, len(ids))
	for i, id := range ids {
		raw, err := e.db.AggregateJSON(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var stored struct {
			Aggregate domain.Conference `json:"aggregate"`
		}
		if err := json.Unmarshal(raw, &stored); err != nil {
			t.Fatal(err)
		}
		confs[i] = stored.Aggregate
	}

	cal := workdays.New(nil)
	check := func(step string, pol domain.Policy) (overdue int) {
		t.Helper()
		now := e.clock.Now()
		live := map[string]rrSummary{}
		sets := map[string][]string{}
		for i := range confs {
			s := readiness.Evaluate(&confs[i], now, pol, cal).Summary()
			sum := rrSummary{Status: s.Status, Blockers: s.Blockers, Advisories: s.Advisories, Overdue: s.Overdue}
			if s.DueOn != nil {
				sum.DueOn = s.DueOn.String()
			}
			id := confs[i].ID
			live[id] = sum
			sets["readiness="+s.Status] = append(sets["readiness="+s.Status], id)
			if s.Overdue {
				sets["overdue=true"] = append(sets["overdue=true"], id)
			} else {
				sets["overdue=false"] = append(sets["overdue=false"], id)
			}
		}
		for _, query := range []string{"readiness=not_ready", "readiness=ready", "overdue=true", "overdue=false"} {
			want := sets[query]
			if len(want) < 50 {
				t.Errorf("%s: only %d conferences have %s; the generator needs a better spread", step, len(want), query)
			}
			got, sums := rrList(e, orgA, query+"&limit=200")
			rrSameSet(t, step+": "+query, got, want)
			for _, id := range got {
				if sums[id] != live[id] {
					t.Errorf("%s: %s: %s lists %+v, live %+v", step, query, id, sums[id], live[id])
				}
			}
		}
		// Filters combine with dates: three days back to five ahead.
		from, to := g.today.AddDays(-3), g.today.AddDays(5)
		var want []string
		for _, c := range confs {
			d := c.Date()
			if live[c.ID].Status == domain.NotReady && live[c.ID].Overdue && !d.Before(from) && !d.After(to) {
				want = append(want, c.ID)
			}
		}
		got, _ := rrList(e, orgA, "readiness=not_ready&overdue=true&limit=200&from="+from.String()+"&to="+to.String())
		rrSameSet(t, step+": dated", got, want)
		// The readiness read answers from stored findings: every tenth
		// conference must read exactly as a live evaluation.
		for i := 0; i < len(confs); i += 10 {
			liveResult := readiness.Evaluate(&confs[i], now, pol, cal)
			rrSameReadiness(t, step, e, confs[i].ID, liveResult)
		}
		t.Logf("%s: %d not ready, %d ready, %d overdue, %d dated", step, len(sets["readiness=not_ready"]), len(sets["readiness=ready"]), len(sets["overdue=true"]), len(want))
		return len(sets["overdue=true"])
	}

	before := check("default policy, "+g.today.String(), domain.DefaultPolicy())

	// A stricter policy moves every deadline earlier; the store re-evaluates.
	pol := domain.DefaultPolicy()
	pol.ReportDays = domain.ReportDays{Initial: 6, Review: 8, PreBirth: 5}
	pol.PhoneOnlyAttendance = false
	rrPutPolicy(e, orgA, map[string]any{"report_days": map[string]any{"initial": 6, "review": 8, "pre_birth": 5}, "phone_only_attendance": false})
	stricter := check("stricter policy", pol)
	if stricter <= before {
		t.Errorf("a stricter policy did not add overdue conferences: %d, was %d", stricter, before)
	}

	// Four days later, with no write at all.
	e.clock.Set(e.clock.Now().Add(4 * 24 * time.Hour))
	g.today = domain.DateOf(e.clock.Now())
	if later := check("four days later", pol); later <= stricter {
		t.Errorf("four days later no more conferences are overdue: %d, was %d", later, stricter)
	}
}

// rrSameReadiness checks GET readiness against a live evaluation: the same
// status, counts and findings, overdue flags included.
func rrSameReadiness(t *testing.T, step string, e *env, id string, live domain.ReadinessResult) {
	t.Helper()
	r := e.do(req{Method: "GET", Path: "/v1/conferences/" + id + "/readiness", Key: e.key(orgA, domain.RoleChair)})
	var got domain.ReadinessResult
	r.Decode(t, &got)
	wantFindings, _ := json.Marshal(live.Findings)
	gotFindings, _ := json.Marshal(got.Findings)
	if got.Status != live.Status || got.Blockers != live.Blockers || got.Advisories != live.Advisories || string(gotFindings) != string(wantFindings) {
		t.Errorf("%s: %s reads %s %d/%d %s\nlive %s %d/%d %s", step, id, got.Status, got.Blockers, got.Advisories, gotFindings,
			live.Status, live.Blockers, live.Advisories, wantFindings)
	}
}

// rrSameSet compares two id lists as sets, and refuses duplicates.
func rrSameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if len(slices.Compact(slices.Clone(g))) != len(g) {
		t.Errorf("%s: the list repeats conferences", what)
	}
	if !slices.Equal(g, w) {
		missing, extra := 0, 0
		for _, id := range w {
			if _, ok := slices.BinarySearch(g, id); !ok {
				missing++
			}
		}
		for _, id := range g {
			if _, ok := slices.BinarySearch(w, id); !ok {
				extra++
			}
		}
		t.Errorf("%s: listed %d, want %d (%d missing, %d extra)", what, len(g), len(w), missing, extra)
	}
}
