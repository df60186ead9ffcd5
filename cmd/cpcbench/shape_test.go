package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/workdays"
)

var shapeToday = domain.NewDate(2026, 11, 23)

// Every seeded conference keeps to the documented shape and would pass
// the API's own validation.
func TestSeededConferencesHaveTheDocumentedShape(t *testing.T) {
	sh := shaper{seed: 7, today: shapeToday}
	for i := range 3000 {
		c := sh.conference(i)
		if c.ID != conferenceID(7, i) || c.Participants[0].ID != participantID(7, i, 0) {
			t.Fatalf("conference %d: ids %s, %s do not follow from its index", i, c.ID, c.Participants[0].ID)
		}
		between(t, i, "family members", len(c.Participants), 2, 4)
		between(t, i, "needs", countNeeds(c), 2, 6)
		between(t, i, "reports", len(c.Reports), 2, 5)
		between(t, i, "children", len(c.Children), 1, 3)
		if c.Reports[0].Agency != "social_care" {
			t.Errorf("conference %d: the first report is %s", i, c.Reports[0].Agency)
		}
		checkValid(t, i, c)
	}
}

func between(t *testing.T, i int, what string, got, lo, hi int) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("conference %d: %d %s, want %d to %d", i, got, what, lo, hi)
	}
}

// checkValid assembles the conference part by part, as the store does
// when it seeds it: each part must be one the API would accept.
func checkValid(t *testing.T, i int, c *domain.Conference) {
	t.Helper()
	if _, _, err := domain.Assemble(c, shapeToday); err != nil {
		b, _ := json.Marshal(c)
		t.Fatalf("conference %d is invalid: %v\n%s", i, err, b)
	}
}

// BenchmarkAssembleSeeded measures what putting a seeded conference
// together through its methods adds to seeding it.
func BenchmarkAssembleSeeded(b *testing.B) {
	sh := shaper{seed: 1, today: shapeToday}
	cs := make([]*domain.Conference, 1000)
	for i := range cs {
		cs[i] = sh.conference(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := domain.Assemble(cs[i%len(cs)], shapeToday); err != nil {
			b.Fatal(err)
		}
	}
}

// The same seed and index give the same conference, whatever came before.
func TestSeededConferencesAreDeterministic(t *testing.T) {
	a, _ := json.Marshal(shaper{seed: 3, today: shapeToday}.conference(41))
	sh := shaper{seed: 3, today: shapeToday}
	for i := range 41 {
		sh.conference(i)
	}
	b, _ := json.Marshal(sh.conference(41))
	if string(a) != string(b) {
		t.Errorf("conference 41 differs between runs:\n%s\n%s", a, b)
	}
	c, _ := json.Marshal(shaper{seed: 4, today: shapeToday}.conference(41))
	if string(a) == string(c) {
		t.Error("another seed gave the same conference")
	}
}

// Readiness varies as in life: most history is ready, the coming fortnight
// is often not, and the coming fortnight holds some 0.35% of all
// conferences (3,500 at 1,000,000).
func TestSeededReadinessAndScheduleAreRealistic(t *testing.T) {
	const n = 40000
	sh := shaper{seed: 1, today: shapeToday}
	eval := readiness.Evaluator(func() time.Time { return shapeToday.Time().Add(9 * time.Hour) }, workdays.New(nil))
	var past, pastNotReady, window, windowNotReady int
	for i := range n {
		c := sh.conference(i)
		notReady := eval(c, domain.DefaultPolicy()).Status == domain.NotReady
		switch d := c.Date(); {
		case d.Before(shapeToday):
			past++
			if notReady {
				pastNotReady++
			}
		case d.Before(shapeToday.AddDays(14)):
			window++
			if notReady {
				windowNotReady++
			}
		}
	}
	share := func(a, b int) float64 { return float64(a) / float64(b) }
	t.Logf("not ready: %.1f%% of past, %.1f%% of the coming fortnight; %.2f%% in the fortnight",
		share(pastNotReady, past)*100, share(windowNotReady, window)*100, share(window, n)*100)
	if s := share(pastNotReady, past); s < 0.03 || s > 0.25 {
		t.Errorf("%.0f%% of past conferences are not ready, want a few", s*100)
	}
	if s := share(windowNotReady, window); s < 0.2 || s > 0.8 {
		t.Errorf("%.0f%% of the coming fortnight's conferences are not ready, want a good part", s*100)
	}
	if s := share(window, n); s < 0.0025 || s > 0.0055 {
		t.Errorf("%.2f%% of conferences fall in the coming fortnight, want some 0.35%%", s*100)
	}
}

// Conference 450,943 of seed 1 once lost a pre-meeting it did not have.
func TestSeedingSurvivesGapsInAFamilyWithoutContacts(t *testing.T) {
	sh := shaper{seed: 1, today: shapeToday}
	checkValid(t, 450943, sh.conference(450943))
}
