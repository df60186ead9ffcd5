package readiness

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestOverdueTurnsAtLondonMidnight(t *testing.T) {
	c := base()
	c.Reports[0].Shares = c.Reports[0].Shares[:1] // r1 not shared with p2; due Mon 23 Nov
	tests := []struct {
		now     time.Time
		overdue bool
	}{
		{time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 23, 23, 59, 0, 0, domain.London), false}, // the due date itself
		{time.Date(2026, 11, 24, 0, 0, 0, 0, domain.London), true},
		{time.Date(2026, 12, 1, 9, 0, 0, 0, domain.London), true}, // after the conference, still outstanding
	}
	for _, tt := range tests {
		r := Evaluate(c, tt.now, domain.DefaultPolicy(), cal)
		fs := withCode(r, ReportNotShared)
		if len(fs) != 1 || fs[0].Overdue != tt.overdue {
			t.Errorf("now %s: got %+v, want overdue %v", tt.now, fs, tt.overdue)
		}
		if r.EarliestDueOn == nil || r.EarliestDueOn.String() != "2026-11-23" {
			t.Errorf("now %s: EarliestDueOn %v", tt.now, r.EarliestDueOn)
		}
		if !r.EvaluatedAt.Equal(tt.now) {
			t.Errorf("EvaluatedAt %v, want %v", r.EvaluatedAt, tt.now)
		}
	}
}

// In summer London is an hour ahead of UTC: 23:30 UTC is already the next
// day, and that is the day that counts.
func TestOverdueUsesLondonDateInSummer(t *testing.T) {
	c := base()
	c.ScheduledStart = at(2026, 6, 25, 10, 0) // Thursday; due Monday 22 June
	for i := range c.Reports {
		for j := range c.Reports[i].Shares {
			c.Reports[i].Shares[j].SharedOn = nil
			c.Reports[i].Shares[j].Withheld = true // withheld without agreement: not dealt with
			c.Reports[i].Shares[j].ChairAgreedOn = nil
		}
	}
	before := Evaluate(c, time.Date(2026, 6, 22, 22, 59, 0, 0, time.UTC), domain.DefaultPolicy(), cal)
	after := Evaluate(c, time.Date(2026, 6, 22, 23, 30, 0, 0, time.UTC), domain.DefaultPolicy(), cal)
	for _, f := range withCode(before, ReportNotShared) {
		if f.Overdue || f.DueOn.String() != "2026-06-22" {
			t.Errorf("23:59 BST on the due date: %+v", f)
		}
	}
	fs := withCode(after, ReportNotShared)
	if len(fs) != 4 {
		t.Fatalf("want 4 REPORT_NOT_SHARED, got %v", codes(after))
	}
	for _, f := range fs {
		if !f.Overdue {
			t.Errorf("00:30 BST the day after: %+v", f)
		}
	}
}

func TestEarliestDueOnIgnoresAdvisoriesAndUndatedBlockers(t *testing.T) {
	c := base()
	c.Reports[0].Shares[1].SharedOn = date("2026-11-24") // late: advisory with a due date
	pt(c, "p2").Attendance = domain.AttendanceUnknown    // blocker without a due date
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	if r.Status != domain.NotReady || r.Blockers != 1 || r.Advisories != 1 || r.EarliestDueOn != nil {
		t.Errorf("got %+v", r)
	}
}

func TestEarliestDueOnIsTheMinimum(t *testing.T) {
	c := base()
	c.Children[0].Views.SharedOn = nil // due 23 Nov (initial, 3 days)
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	if r.EarliestDueOn == nil || r.EarliestDueOn.String() != "2026-11-23" {
		t.Fatalf("EarliestDueOn %v", r.EarliestDueOn)
	}
	p := domain.DefaultPolicy()
	p.ReportDays.Initial = 10
	r = Evaluate(c, now, p, cal)
	if r.EarliestDueOn == nil || r.EarliestDueOn.String() != "2026-11-12" {
		t.Fatalf("with 10 days: EarliestDueOn %v", r.EarliestDueOn)
	}
}

func TestReadyWithAdvisoriesOnly(t *testing.T) {
	c := base()
	pt(c, "p2").Attendance, pt(c, "p2").PrivateSpaceConfirmed = domain.AttendancePhone, true
	c.StrategyDiscussionOn = date("2026-10-01")
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	if r.Status != domain.Ready || r.Blockers != 0 || r.Advisories != 2 {
		t.Errorf("got %s, %d blockers, %d advisories: %v", r.Status, r.Blockers, r.Advisories, codes(r))
	}
	if s := r.Summary(); s.Status != domain.Ready || s.Blockers != 0 || s.Advisories != 2 || s.DueOn != nil || s.Overdue || len(s.Findings) != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestEmptyFindingsMarshalAsArray(t *testing.T) {
	b, err := json.Marshal(Evaluate(base(), now, domain.DefaultPolicy(), cal))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"findings":[]`) {
		t.Errorf("got %s", b)
	}
}

// rank places a finding in the documented order: conference-level, then by
// participant, then by report, then by child.
func rank(c *domain.Conference, f domain.Finding) [3]int {
	index := func(n int, match func(int) bool) int {
		for i := 0; i < n; i++ {
			if match(i) {
				return i
			}
		}
		return -1
	}
	p := index(len(c.Participants), func(i int) bool { return c.Participants[i].ID == f.ParticipantID })
	switch {
	case f.ChildRef != "":
		return [3]int{3, index(len(c.Children), func(i int) bool { return c.Children[i].Ref == f.ChildRef }), 0}
	case f.ReportID != "":
		return [3]int{2, index(len(c.Reports), func(i int) bool { return c.Reports[i].ID == f.ReportID }), p}
	case f.ParticipantID != "":
		return [3]int{1, p, 0}
	}
	return [3]int{0, 0, 0}
}

func checkOrder(t *testing.T, c *domain.Conference, fs []domain.Finding) {
	t.Helper()
	for i := 1; i < len(fs); i++ {
		a, b := rank(c, fs[i-1]), rank(c, fs[i])
		if b[0] < a[0] || (b[0] == a[0] && (b[1] < a[1] || (b[1] == a[1] && b[2] < a[2]))) {
			t.Fatalf("finding %d (%s) out of order after %s", i, fs[i].Code, fs[i-1].Code)
		}
	}
}

func TestFindingsOrder(t *testing.T) {
	c := base()
	c.Reports = append([]domain.Report{{ID: "r0", Agency: "health", Title: "H"}}, c.Reports...)
	c.Reports[1].Agency = "other"
	c.Children[0].Views = nil
	pt(c, "p1").Attendance = domain.AttendanceUnknown
	pt(c, "p2").NeedsAssessedOn = nil
	c.StrategyDiscussionOn = date("2026-10-01")
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	want := []string{
		SocialWorkerReportMissing, ICPCTimescaleExceeded,
		AttendanceNotConfirmed, NeedsNotAssessed,
		ReportNotWithChair, ReportNotShared, ReportNotShared, ChildViewsNotRecorded,
	}
	if strings.Join(codes(r), " ") != strings.Join(want, " ") {
		t.Fatalf("got %v\nwant %v", codes(r), want)
	}
	checkOrder(t, c, r.Findings)
	if again := Evaluate(c, now, domain.DefaultPolicy(), cal); strings.Join(codes(again), " ") != strings.Join(codes(r), " ") {
		t.Error("two evaluations differ")
	}
}

func TestMessagesCarryNoNames(t *testing.T) {
	c := base()
	for i := range c.Participants {
		c.Participants[i].Invited = yes()
		c.Participants[i].Attendance = domain.AttendanceUnknown
	}
	c.Children[0].Views = nil
	r := Evaluate(c, now, domain.DefaultPolicy(), cal)
	for _, f := range r.Findings {
		for _, name := range []string{"Parent One", "Parent Two", "Relative", "Child One", "Social work report"} {
			if strings.Contains(f.Message, name) {
				t.Errorf("%s message names %q: %s", f.Code, name, f.Message)
			}
		}
	}
}
