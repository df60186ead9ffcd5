package main

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

// shapeVersion names the seeded data's shape. Bump it whenever the
// generator changes what it writes, so that cached databases seeded by an
// older generator are not reused.
const shapeVersion = 2

// benchOrg is the organisation every seeded conference belongs to.
const benchOrg = "BENCH"

// idSpace makes the seeded ids: the same conference index always has the
// same id, so a run can address conferences without reading them back.
var idSpace = uuid.MustParse("6f1d2c3a-8e0b-4f52-9a77-3c5e1b0d9a41")

// conferenceID is the id of the i-th seeded conference.
func conferenceID(seed uint64, i int) string {
	return uuid.NewSHA1(idSpace, fmt.Appendf(nil, "%d/conference/%d", seed, i)).String()
}

// participantID is the id of the j-th family member of the i-th conference.
func participantID(seed uint64, i, j int) string {
	return uuid.NewSHA1(idSpace, fmt.Appendf(nil, "%d/conference/%d/participant/%d", seed, i, j)).String()
}

// shaper builds seeded conferences. Each conference draws from its own
// random stream, keyed on the seed and its index, so conference i is the
// same whatever the batch size or the order of generation.
type shaper struct {
	seed  uint64
	today domain.Date // in Europe/London, when seeding started
}

// gen is the state of building one conference.
type gen struct {
	r     *rand.Rand
	src   *rand.ChaCha8
	today domain.Date
	date  domain.Date // the conference date
	ref   domain.Date // the latest date an event can have: the conference or today
}

func (s shaper) conference(i int) *domain.Conference {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], s.seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(i))
	src := rand.NewChaCha8(key)
	g := &gen{r: rand.New(src), src: src, today: s.today}

	start := g.scheduledStart()
	g.date = domain.DateOf(start)
	g.ref = g.date
	if g.today.Before(g.ref) {
		g.ref = g.today
	}
	upcoming := !g.date.Before(g.today)
	c := &domain.Conference{
		ID: conferenceID(s.seed, i),
		ConferenceFields: domain.ConferenceFields{
			ExternalRef:    fmt.Sprintf("BENCH-%08d", i),
			ScheduledStart: domain.Timestamp{Time: start},
			Format:         domain.Format(pick(g.r, []string{"video", "hybrid", "hybrid", "in_person", "in_person", "phone"})),
			Status:         g.status(upcoming),
			Chair:          &domain.Person{Ref: fmt.Sprintf("CH-%03d", g.r.IntN(60)), Name: g.name()},
			SocialWorker:   &domain.Person{Ref: fmt.Sprintf("SW-%04d", g.r.IntN(800)), Name: g.name()},
		},
	}
	g.typeAndHistory(c)
	for k := range 1 + g.r.IntN(3) {
		c.Children = append(c.Children, domain.Child{Ref: fmt.Sprintf("C-%d-%d", i, k+1), Name: pick(g.r, firstNames)})
	}
	if c.Type == domain.TypePreBirth {
		c.Children[0].Unborn, c.Children[0].Name = true, ""
	}
	n := 2 + g.r.IntN(3)
	for j := range n {
		c.Participants = append(c.Participants, g.participant(participantID(s.seed, i, j), j))
	}
	g.needs(c)
	g.reports(c)
	g.professionals(c)
	g.childViews(c)
	g.leaveGaps(c, upcoming)
	return c
}

// scheduledStart spreads conferences over years, denser near today: most
// are history, a recent year is busier, and a small share is still to
// come in the next six months. At 1,000,000 that puts some 3,500 in the
// coming fourteen days.
func (g *gen) scheduledStart() time.Time {
	var days int
	switch x := g.r.Float64(); {
	case x < 0.05:
		days = g.r.IntN(183) // today to six months ahead
	case x < 0.40:
		days = -1 - g.r.IntN(365)
	default:
		days = -1 - g.r.IntN(5*365)
	}
	// Conferences fall on weekdays; a weekend moves away from today, so
	// that history stays in the past.
	step := 1
	if days < 0 {
		step = -1
	}
	d := g.today.AddDays(days)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDays(step)
	}
	hour, minute := pickPair(g.r, [][2]int{{9, 30}, {10, 0}, {11, 0}, {13, 30}, {14, 0}})
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, domain.London).UTC()
}

func (g *gen) status(upcoming bool) domain.ConferenceStatus {
	if upcoming {
		return domain.StatusScheduled
	}
	switch x := g.r.Float64(); {
	case x < 0.04:
		return domain.StatusCancelled
	case x < 0.09:
		return domain.StatusPostponed
	}
	return domain.StatusHeld
}

// typeAndHistory picks the conference type and the dates it follows on
// from. Initial conferences follow a strategy discussion by about three
// weeks, so one further ahead than that is a review or a pre-birth.
func (g *gen) typeAndHistory(c *domain.Conference) {
	soon := g.date.Before(g.today.AddDays(21))
	switch x := g.r.Float64(); {
	case x < 0.05:
		c.Type = domain.TypePreBirth
		edd := g.date.AddDays(70 + g.r.IntN(60)) // between weeks 22 and 30
		c.ExpectedDeliveryOn = &edd
	case x < 0.40 && soon:
		c.Type = domain.TypeInitial
		c.StrategyDiscussionOn = g.notAfterToday(g.date.AddDays(-10 - g.r.IntN(16)))
	default:
		c.Type = domain.TypeReview
		c.PreviousConferenceType = domain.TypeReview
		months := 6
		if g.r.IntN(3) == 0 {
			c.PreviousConferenceType, months = domain.TypeInitial, 3
		}
		c.PreviousConferenceOn = g.notAfterToday(g.date.AddMonths(-months).AddDays(g.r.IntN(10) - 7))
	}
}

var relationships = [][]string{
	{"mother", "mother", "parent"},
	{"father", "father", "step_parent", "parent"},
	{"grandparent", "carer", "young_person", "other_family", "family_friend", "sibling"},
}

func (g *gen) participant(id string, j int) domain.Participant {
	yes := true
	p := domain.Participant{ID: id, ParticipantFields: domain.ParticipantFields{
		DisplayName:     g.name(),
		Relationship:    pick(g.r, relationships[min(j, 2)]),
		Invited:         &yes,
		Attendance:      domain.Attendance(pick(g.r, []string{"in_person", "in_person", "video", "video", "phone", "not_attending"})),
		NeedsAssessedOn: g.before(g.ref, 3, 20),
		Safety:          &domain.Safety{Concern: "none"},
	}, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
	p.ParentalResponsibility = j < 2
	p.InformedOn = g.before(g.ref, 1, 10)
	if p.OwedReports() {
		p.AdvocacyOfferedOn = g.before(g.ref, 2, 14)
	}
	p.PrivateSpaceConfirmed = p.Attendance == domain.AttendanceVideo || p.Attendance == domain.AttendancePhone
	p.TechnologyChecked = p.Attendance == domain.AttendanceVideo
	if g.r.IntN(8) == 0 {
		p.Safety = &domain.Safety{Concern: "domestic_abuse", Arrangement: "separate_attendance", Note: "Attends from a separate room; not in the same call as the other parent."}
	}
	if j > 0 && g.r.IntN(50) == 0 {
		p.Attendance = domain.AttendanceExcluded
		p.Exclusion = &domain.Exclusion{DecidedByChairOn: g.before(g.ref, 1, 5), Grounds: "Risk of violence to the other parent; the chair will meet them separately."}
	}
	for range 1 + g.r.IntN(2) {
		p.Contacts = append(p.Contacts, domain.Contact{ID: g.uuid(), With: "social_worker", On: g.before(g.ref, 0, 12), Method: pick(g.r, []string{"in_person", "phone", "video"})})
	}
	p.Contacts = append(p.Contacts, domain.Contact{ID: g.uuid(), With: "chair", On: g.before(g.ref, 0, 3), Method: pick(g.r, []string{"in_person", "phone", "video"})})
	return p
}

var needDetail = map[string]string{
	"technology":          "Laptop lent by the local authority; call tested.",
	"childcare":           "Nursery place booked for the morning of the conference.",
	"language":            "Interpreter booked through the council's language service.",
	"learning_difficulty": "Easy-read versions of the reports; advocate to explain them.",
	"communication":       "Breaks every thirty minutes; questions written down in advance.",
	"advocacy":            "Parent advocate from the family rights service.",
	"transport":           "Taxi booked both ways.",
	"accessibility":       "Ground-floor room with step-free access.",
}

var languages = []string{"pl", "ro", "ar", "ur", "pa", "so", "ti", "bn", "pt", "lt"}

// needs spreads two to six needs over the family, each family member with
// any kind at most once; all are arranged or not needed until a gap is left.
func (g *gen) needs(c *domain.Conference) {
	for range 2 + g.r.IntN(5) {
		p := &c.Participants[g.r.IntN(len(c.Participants))]
		kind := pick(g.r, domain.NeedKinds)
		if p.Need(kind) != nil {
			continue
		}
		n := domain.Need{Kind: kind, Status: domain.NeedArranged, Detail: needDetail[kind]}
		if g.r.IntN(4) == 0 {
			n = domain.Need{Kind: kind, Status: domain.NeedNotNeeded}
		}
		if kind == domain.NeedLanguage && n.Status != domain.NeedNotNeeded {
			n.Language, n.Interpreter = pick(g.r, languages), domain.InterpreterProfessional
			if g.r.IntN(10) == 0 {
				n.Interpreter = domain.InterpreterFamilyMember // an advisory
			}
		}
		p.Needs = append(p.Needs, n)
	}
	// Picks that collided leave fewer needs: top up on a family member
	// who has none yet, so that nobody holds a kind twice.
	for j := 0; countNeeds(c) < 2; j++ {
		if p := &c.Participants[j]; len(p.Needs) == 0 {
			p.Needs = append(p.Needs, domain.Need{Kind: "transport", Status: domain.NeedArranged, Detail: needDetail["transport"]})
		}
	}
}

func countNeeds(c *domain.Conference) int {
	n := 0
	for _, p := range c.Participants {
		n += len(p.Needs)
	}
	return n
}

var reportTitles = map[string]string{
	"social_care": "Social work assessment and analysis for conference",
	"police":      "Police information report",
	"health":      "Health visitor report",
	"education":   "School report on attendance and wellbeing",
	"probation":   "Probation risk assessment summary",
	"other":       "Housing officer statement",
}

// reports writes two to five reports, the social work report first, each
// shared with every invited family member in their language in good time.
func (g *gen) reports(c *domain.Conference) {
	agencies := []string{"social_care"}
	for _, a := range []string{"police", "health", "education", "probation", "other"} {
		if len(agencies) < 5 && g.r.IntN(2) == 0 {
			agencies = append(agencies, a)
		}
	}
	for len(agencies) < 2 {
		agencies = append(agencies, "health")
	}
	latest := g.date.AddDays(-8) // a little before the usual deadline
	if g.today.Before(latest) {
		latest = g.today
	}
	for _, a := range agencies {
		shareOn := g.before(latest, 0, 5)
		if g.r.IntN(12) == 0 {
			shareOn = g.before(g.ref, 0, 1) // shared late: an advisory, not a blocker
		}
		r := domain.Report{ID: g.uuid(), Agency: a, Title: reportTitles[a], ReceivedOn: g.before(*shareOn, 0, 3), SharedWithChairOn: shareOn, Shares: []domain.Share{}}
		for _, p := range c.Participants {
			if !p.IsInvited() || p.Attendance == domain.AttendanceExcluded {
				continue
			}
			if a == "police" && p.Safety != nil && p.Safety.Concern == "domestic_abuse" && g.r.IntN(2) == 0 {
				r.Shares = append(r.Shares, domain.Share{ID: g.uuid(), ParticipantID: p.ID, Withheld: true,
					Reason: "Contains the other parent's address.", ChairAgreedOn: g.before(g.ref, 1, 4)})
				continue
			}
			lang := "en"
			if n := p.Need(domain.NeedLanguage); n != nil && n.Language != "" {
				lang = n.Language
			}
			format := domain.FormatWritten
			for _, kind := range []string{"learning_difficulty", "communication"} {
				if n := p.Need(kind); n != nil && n.Status != domain.NeedNotNeeded {
					format = domain.FormatEasyRead
				}
			}
			r.Shares = append(r.Shares, domain.Share{ID: g.uuid(), ParticipantID: p.ID, SharedOn: shareOn, Language: lang, Format: format})
		}
		c.Reports = append(c.Reports, r)
	}
}

var professionalRoles = map[string]string{
	"social_care": "Team manager",
	"police":      "Detective constable, child abuse investigation",
	"health":      "Health visitor",
	"education":   "Designated safeguarding lead",
	"probation":   "Probation officer",
	"other":       "Housing officer",
}

// professionals invites a professional from each agency that reports, all
// confirmed, and one from education who sends no report where fewer than
// two other agencies report, so that the conference is quorate.
func (g *gen) professionals(c *domain.Conference) {
	add := func(agency string, reports bool) {
		c.Professionals = append(c.Professionals, domain.Professional{ID: g.uuid(), ProfessionalFields: domain.ProfessionalFields{
			Agency: agency, Role: professionalRoles[agency], Name: g.name(), Attendance: domain.ProfessionalConfirmed, ReportExpected: &reports,
		}})
	}
	for _, r := range c.Reports {
		add(r.Agency, true)
	}
	if len(c.Reports) < 3 {
		add("education", false)
	}
}

func (g *gen) childViews(c *domain.Conference) {
	for k := range c.Children {
		if c.Children[k].Unborn {
			continue
		}
		recorded := g.before(g.ref, 2, 10)
		shared := recorded.AddDays(g.r.IntN(2))
		if g.ref.Before(shared) {
			shared = g.ref
		}
		c.Children[k].Views = &domain.ChildViews{Means: pick(g.r, []string{"attending", "written", "advocate", "social_worker"}), RecordedOn: recorded, SharedOn: &shared}
	}
}

// leaveGaps undoes one to three pieces of preparation on some conferences:
// few of those long held, more of those still to come, and most of those
// more than two weeks off, whose preparation has hardly started.
func (g *gen) leaveGaps(c *domain.Conference, upcoming bool) {
	chance := 0.08
	switch {
	case !upcoming && c.Status != domain.StatusHeld:
		chance = 0.3
	case upcoming && g.date.After(g.today.AddDays(14)):
		chance = 0.8
	case upcoming && g.date.After(g.today.AddDays(3)):
		chance = 0.5
	case upcoming:
		chance = 0.3
	}
	if g.r.Float64() >= chance {
		return
	}
	for range 1 + g.r.IntN(3) {
		p := &c.Participants[g.r.IntN(len(c.Participants))]
		switch g.r.IntN(12) {
		case 0:
			for len(p.Needs) == 0 {
				p = &c.Participants[g.r.IntN(len(c.Participants))]
			}
			n := &p.Needs[g.r.IntN(len(p.Needs))]
			n.Status = domain.NeedIdentified
			if n.Kind == domain.NeedLanguage && n.Language == "" {
				n.Language = pick(g.r, languages)
			}
		case 1:
			if len(p.Contacts) > 0 {
				p.Contacts = p.Contacts[:len(p.Contacts)-1] // the chair's pre-meeting
			}
		case 2:
			r := &c.Reports[g.r.IntN(len(c.Reports))]
			r.Shares = without(r.Shares, p.ID)
		case 3:
			if v := c.Children[g.r.IntN(len(c.Children))].Views; v != nil {
				v.SharedOn = nil
			}
		case 4:
			if ch := &c.Children[g.r.IntN(len(c.Children))]; !ch.Unborn {
				ch.Views = nil
			}
		case 5:
			p.Attendance = domain.AttendanceUnknown
			p.Exclusion = nil
		case 6:
			p.Attendance, p.TechnologyChecked = domain.AttendanceVideo, false
		case 7:
			p.Attendance, p.PrivateSpaceConfirmed = domain.AttendancePhone, false
		case 8:
			p.NeedsAssessedOn = nil
		case 9:
			p.Safety = &domain.Safety{Concern: "domestic_abuse"}
		case 10:
			p.InformedOn = nil
		case 11:
			c.Professionals[len(c.Professionals)-1].Attendance = domain.ProfessionalInvited // short of a quorum
		}
	}
}

func without(shares []domain.Share, participantID string) []domain.Share {
	out := shares[:0]
	for _, s := range shares {
		if s.ParticipantID != participantID {
			out = append(out, s)
		}
	}
	return out
}

var (
	firstNames = []string{"Amira", "Ben", "Chloe", "Daniel", "Ewa", "Farhan", "Grace", "Harry", "Ines", "Jordan", "Kacper", "Leah", "Mohammed", "Nadia", "Olivia", "Priya", "Ryan", "Sofia", "Tomasz", "Zara"}
	surnames   = []string{"Ahmed", "Baker", "Clarke", "Davies", "Evans", "Green", "Hughes", "Kowalski", "Khan", "Lewis", "Morgan", "Nowak", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Williams", "Wood", "Young"}
)

func (g *gen) name() string { return pick(g.r, firstNames) + " " + pick(g.r, surnames) }

// uuid draws an id from the conference's own stream, so reruns repeat it.
func (g *gen) uuid() string {
	id, err := uuid.NewRandomFromReader(g.src)
	if err != nil {
		panic(err) // ChaCha8 never fails to read
	}
	return id.String()
}

// before returns a date lo to hi days (inclusive) before d.
func (g *gen) before(d domain.Date, lo, hi int) *domain.Date {
	out := d.AddDays(-lo - g.r.IntN(hi-lo+1))
	return &out
}

func (g *gen) notAfterToday(d domain.Date) *domain.Date {
	if g.today.Before(d) {
		d = g.today
	}
	return &d
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func pickPair(r *rand.Rand, xs [][2]int) (int, int) {
	x := pick(r, xs)
	return x[0], x[1]
}
