package store_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

// insightsModel is the test's own account of what the insights should
// say: the aggregates as the store returned them, the chairs' checks made,
// and each start as the test saw it pass. It recounts from those, with
// its own arithmetic, and shares nothing with the store's tallies.
type insightsModel struct {
	now    func() time.Time
	confs  map[string]*domain.Conference
	checks map[string][]modelCheck
	starts map[string]*domain.StartRecord
}

type modelCheck struct {
	at       time.Time
	decision string
	status   string
}

func (m *insightsModel) evaluate(c *domain.Conference) domain.ReadinessResult {
	return readiness.Evaluate(c, m.now(), domain.DefaultPolicy(), workdays.New(nil))
}

// beforeWrite records the start of c if it has passed and is not yet
// recorded: from the last check at or before it, or else from c as it
// stands before the write.
func (m *insightsModel) beforeWrite(id string) {
	c := m.confs[id]
	if m.starts[id] != nil || c.ScheduledStart.After(m.now()) {
		return
	}
	r := m.evaluate(c)
	status := r.Status
	for _, k := range m.checks[id] {
		if !k.at.After(c.ScheduledStart.Time) {
			status = k.status
		}
	}
	m.starts[id] = &domain.StartRecord{Status: status, Needs: r.Measures.NeedsOnly()}
}

// recordDue does what an insights read does first: record every start
// that has passed.
func (m *insightsModel) recordDue() {
	for id := range m.confs {
		m.beforeWrite(id)
	}
}

// recount sums, by month, what every conference not cancelled adds.
func (m *insightsModel) recount() map[string]domain.Tally {
	out := map[string]domain.Tally{}
	for id, c := range m.confs {
		if c.Status == domain.StatusCancelled {
			continue
		}
		t := domain.Tally{}
		for k, v := range m.evaluate(c).Measures {
			if len(k) < len(domain.NeedsPrefix) || k[:len(domain.NeedsPrefix)] != domain.NeedsPrefix {
				t[k] = v
			}
		}
		postponed := false
		for _, k := range m.checks[id] {
			postponed = postponed || k.decision == "postpone"
		}
		t[domain.MeasurePostponedByChair] = domain.Bit(postponed)
		if s := m.starts[id]; s != nil {
			t[domain.MeasureReadyAtStart] = domain.Bit(s.Status == domain.Ready)
			for k, v := range s.Needs {
				t[k] = v
			}
		}
		month := c.Date().String()[:7]
		if out[month] == nil {
			out[month] = domain.Tally{}
		}
		out[month].Add(t, 1)
	}
	for k, t := range out {
		if len(t) == 0 {
			delete(out, k)
		}
	}
	return out
}

var (
	propRelationships = []string{"mother", "father", "parent", "step_parent", "carer", "grandparent", "sibling", "young_person", "other_family", "family_friend"}
	propAttendances   = []domain.Attendance{"unknown", "in_person", "video", "phone", "not_attending", "excluded"}
	propNeedStatuses  = []string{domain.NeedIdentified, domain.NeedArranged, domain.NeedNotNeeded}
	propAgencies      = []string{"social_care", "police", "health"}
)

func pickOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// aroundDate is a date within span days either side of d.
func aroundDate(r *rand.Rand, d domain.Date, span int) *domain.Date {
	x := d.AddDays(r.IntN(2*span+1) - span)
	return &x
}

// randomise replaces the family, reports and children's views of c with
// random ones, dated around the conference so that every measure's cases
// (in time, late, missing) come up.
func randomise(r *rand.Rand, c *domain.Conference) {
	day := c.Date()
	c.Participants = nil
	for range r.IntN(5) {
		invited := r.IntN(5) > 0
		p := domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
			DisplayName: "Family Member", Relationship: pickOf(r, propRelationships), Invited: &invited,
			Attendance: pickOf(r, propAttendances), ParentalResponsibility: r.IntN(4) == 0,
		}}
		for _, kind := range domain.NeedKinds {
			if r.IntN(4) == 0 {
				n := domain.Need{Kind: kind, Status: pickOf(r, propNeedStatuses)}
				if kind == domain.NeedLanguage {
					n.Language = "pl"
					if n.Status == domain.NeedArranged {
						n.Interpreter = domain.InterpreterProfessional
					}
				}
				p.Needs = append(p.Needs, n)
			}
		}
		for range r.IntN(3) {
			p.Contacts = append(p.Contacts, domain.Contact{ID: uuid.NewString(), With: pickOf(r, []string{"social_worker", "chair"}), On: aroundDate(r, day, 6), Method: "phone"})
		}
		c.Participants = append(c.Participants, p)
	}
	c.Reports = nil
	for range r.IntN(3) {
		rep := domain.Report{ID: uuid.NewString(), Agency: pickOf(r, propAgencies), Title: "Report"}
		for _, p := range c.Participants {
			switch r.IntN(4) {
			case 0:
			case 1:
				rep.Shares = append(rep.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, Withheld: true, Reason: "risk", ChairAgreedOn: aroundDate(r, day.AddDays(-5), 4)})
			default:
				rep.Shares = append(rep.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: aroundDate(r, day.AddDays(-5), 4), Language: "en"})
			}
		}
		c.Reports = append(c.Reports, rep)
	}
	for i := range c.Children {
		ch := &c.Children[i]
		ch.Unborn = r.IntN(6) == 0
		switch r.IntN(4) {
		case 0:
			ch.Views = nil
		case 1:
			ch.Views = &domain.ChildViews{Means: domain.ViewsNotApplicable, Reason: "a baby"}
		default:
			rec := aroundDate(r, day.AddDays(-8), 4)
			ch.Views = &domain.ChildViews{Means: "written", RecordedOn: rec}
			if r.IntN(3) > 0 {
				shared := rec.AddDays(r.IntN(12))
				ch.Views.SharedOn = &shared
			}
		}
	}
}

func change(c *domain.Conference) domain.Change {
	return domain.Change{Action: "update", Entity: "conference", EntityID: c.ID, Before: map[string]any{}, After: map[string]any{}}
}

// TestInsightsEqualARecountOfTheAggregates writes 1,000 generated
// conferences through the store as time passes (edits before and after
// their starts, moves between months, cancellations and their undoing,
// chairs' checks), then compares the insights, answered from the
// maintained tallies, with a recount from the aggregates; and a recount by
// the store itself must find nothing to repair.
func TestInsightsEqualARecountOfTheAggregates(t *testing.T) {
	db, clock := storetest.MustOpenDB(t)
	ctx := context.Background()
	org := "PROP"
	cs := domain.Principal{ID: "prop-cs", Name: "case system", Role: domain.RoleCaseSystem, Org: org}
	chair := domain.Principal{ID: "prop-chair", Name: "chair", Role: domain.RoleChair, Org: org}
	manager := domain.Principal{ID: "prop-manager", Name: "manager", Role: domain.RoleManager, Org: org}
	m := &insightsModel{now: clock.Now, confs: map[string]*domain.Conference{}, checks: map[string][]modelCheck{}, starts: map[string]*domain.StartRecord{}}
	r := rand.New(rand.NewPCG(16, 2026))
	epoch := time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)
	randomStart := func() domain.Timestamp {
		return domain.Timestamp{Time: epoch.Add(time.Duration(r.IntN(24*30*24)) * time.Hour).Add(time.Duration(r.IntN(4)) * 15 * time.Minute)}
	}

	const n = 1000
	var ids []string
	clock.Set(epoch)
	for i := range n {
		var kids []domain.Child
		for k := range 1 + r.IntN(3) {
			kids = append(kids, domain.Child{Ref: fmt.Sprintf("C-%d", k)})
		}
		c, err := db.CreateConference(ctx, cs, domain.ConferenceFields{
			ExternalRef: fmt.Sprintf("PROP-%d", i), Type: domain.TypeInitial, ScheduledStart: randomStart(), Format: "hybrid", Children: kids,
		})
		if err != nil {
			t.Fatal(err)
		}
		m.confs[c.ID] = c
		m.beforeWrite(c.ID)
		ids = append(ids, c.ID)
		if err := edit(ctx, db, cs, m, c.ID, func(c *domain.Conference) { randomise(r, c) }); err != nil {
			t.Fatal(err)
		}
	}

	for step := range 30 {
		clock.Set(epoch.AddDate(0, step, r.IntN(28)).Add(time.Duration(r.IntN(600)) * time.Minute))
		for range 50 {
			id := pickOf(r, ids)
			var err error
			switch r.IntN(7) {
			case 0, 1:
				err = edit(ctx, db, cs, m, id, func(c *domain.Conference) { randomise(r, c) })
			case 2:
				err = edit(ctx, db, cs, m, id, func(c *domain.Conference) { c.ScheduledStart = randomStart() })
			case 3:
				err = edit(ctx, db, cs, m, id, func(c *domain.Conference) {
					c.Status = pickOf(r, []domain.ConferenceStatus{domain.StatusCancelled, domain.StatusScheduled, domain.StatusHeld})
				})
			default:
				decision := pickOf(r, []string{"proceed", "postpone"})
				chk, err2 := db.AddReadinessCheck(ctx, chair, id, domain.ReadinessCheck{Decision: decision, Note: "checked"})
				if err2 == nil {
					m.checks[id] = append(m.checks[id], modelCheck{at: clock.Now(), decision: decision, status: chk.Readiness.Status})
				}
				err = err2
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if step%7 == 3 {
			if _, err := db.Insights(ctx, manager, domain.NewDate(2025, 1, 1), domain.NewDate(2028, 1, 1)); err != nil {
				t.Fatal(err)
			}
			m.recordDue()
		}
	}

	clock.Set(epoch.AddDate(2, 6, 0))
	for _, w := range [][2]domain.Date{
		{domain.NewDate(2025, 1, 1), domain.NewDate(2028, 1, 1)},
		{domain.NewDate(2025, 3, 1), domain.NewDate(2026, 3, 1)},
	} {
		got, err := db.Insights(ctx, manager, w[0], w[1])
		if err != nil {
			t.Fatal(err)
		}
		m.recordDue()
		want := m.recount()
		maps.DeleteFunc(want, func(month string, _ domain.Tally) bool {
			return month < w[0].String()[:7] || month >= w[1].String()[:7]
		})
		compareTallies(t, fmt.Sprint(w), got, want)
	}
	rep, err := db.RecountInsights(ctx)
	if err != nil || rep.Repaired != 0 || rep.Conferences != n {
		t.Fatalf("recount: %+v %v", rep, err)
	}
}

// edit writes a change to one conference, keeping the model in step.
func edit(ctx context.Context, db *store.DB, p domain.Principal, m *insightsModel, id string, f func(*domain.Conference)) error {
	m.beforeWrite(id)
	c, err := db.UpdateConference(ctx, p, id, nil, func(c *domain.Conference) (domain.Change, error) {
		f(c)
		return change(c), nil
	})
	if err == nil {
		m.confs[id] = c
	}
	return err
}

func compareTallies(t *testing.T, what string, got, want map[string]domain.Tally) {
	t.Helper()
	months := map[string]bool{}
	for k := range got {
		months[k] = true
	}
	for k := range want {
		months[k] = true
	}
	for month := range months {
		g, w := got[month], want[month]
		keys := map[string]bool{}
		for k := range g {
			keys[k] = true
		}
		for k := range w {
			keys[k] = true
		}
		for k := range keys {
			if g[k] != w[k] {
				t.Errorf("%s %s %s: insights %+v, recount %+v", what, month, k, g[k], w[k])
			}
		}
	}
}
