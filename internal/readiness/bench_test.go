package readiness

import (
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/workdays"
)

// BenchmarkEvaluate measures one evaluation of a realistic conference: four
// family members with needs and contacts, five reports shared with each,
// two children.
func BenchmarkEvaluate(b *testing.B) {
	yes := true
	past := domain.NewDate(2026, 11, 20)
	c := &domain.Conference{ID: "c", ConferenceFields: domain.ConferenceFields{Type: domain.TypeInitial,
		ScheduledStart: domain.Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}, StrategyDiscussionOn: &past,
		Children: []domain.Child{{Ref: "C-1"}, {Ref: "C-2", Views: &domain.ChildViews{Means: "written", RecordedOn: &past}}}}}
	for i := 0; i < 4; i++ {
		c.Participants = append(c.Participants, domain.Participant{ID: string(rune('a' + i)), ParticipantFields: domain.ParticipantFields{
			Relationship: "parent", Invited: &yes, Attendance: domain.AttendanceVideo, NeedsAssessedOn: &past},
			Needs:    []domain.Need{{Kind: "language", Status: "arranged", Language: "pl", Interpreter: "professional"}, {Kind: "childcare", Status: "identified"}},
			Contacts: []domain.Contact{{With: "social_worker", On: &past, Method: "phone"}}})
	}
	for i := 0; i < 5; i++ {
		r := domain.Report{ID: string(rune('r' + i)), Agency: "health"}
		for _, p := range c.Participants {
			r.Shares = append(r.Shares, domain.Share{ParticipantID: p.ID, SharedOn: &past, Language: "en"})
		}
		c.Reports = append(c.Reports, r)
	}
	cal := workdays.New(nil)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	pol := domain.DefaultPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if r := Evaluate(c, now, pol, cal); r.Blockers == 0 {
			b.Fatal("expected blockers")
		}
	}
}
