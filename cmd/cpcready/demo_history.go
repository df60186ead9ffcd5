package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// demoHistoryMonths is how many months before this one the demo's past
// conferences fill, so that a manager's Insights has something on it.
const demoHistoryMonths = 11

// seedDemoHistory writes three past conferences a month for the months
// before this one, each prepared a little differently: a conversation
// missed, reports shared late, a child's views not shared, a need left
// unarranged, parents on the phone, and now and then a chair who
// postponed. Each is written whole, as a case system would after the
// event, so its readiness when it began is what it is now.
func seedDemoHistory(ctx context.Context, db *store.DB) error {
	cs := domain.Principal{Kind: domain.PrincipalSystem, ID: "demo-seed", Name: "demo seed", Role: domain.RoleCaseSystem, Org: demoOrg}
	chair := domain.Principal{ID: "demo-chair", Name: "Demo chair", Role: domain.RoleChair, Org: demoOrg}
	today := domain.DateOf(db.Now())
	yes := true
	for k := range 3 * demoHistoryMonths {
		first := today.AddMonths(-(k/3 + 1)).Time()
		on := domain.NewDate(first.Year(), first.Month(), 3+9*(k%3))
		before := func(days int) *domain.Date { d := on.AddDays(-days); return &d }
		start := time.Date(on.Time().Year(), on.Time().Month(), on.Time().Day(), 10, 0, 0, 0, domain.London)

		person := func(name, rel string, att domain.Attendance) domain.Participant {
			return domain.Participant{ID: uuid.NewString(), ParticipantFields: domain.ParticipantFields{
				DisplayName: name, Relationship: rel, Invited: &yes, Attendance: att, ParentalResponsibility: true,
				NeedsAssessedOn: before(10), InformedOn: before(8), AdvocacyOfferedOn: before(8),
				PrivateSpaceConfirmed: att != domain.AttendanceInPerson, TechnologyChecked: att == domain.AttendanceVideo,
			}, Needs: []domain.Need{}, Contacts: []domain.Contact{}}
		}
		mum := person("Demo Parent", "mother", []domain.Attendance{domain.AttendanceInPerson, domain.AttendanceVideo, domain.AttendancePhone, domain.AttendanceInPerson}[k%4])
		dad := person("Demo Parent", "father", []domain.Attendance{domain.AttendancePhone, domain.AttendanceInPerson, domain.AttendanceInPerson}[k%3])
		// Each conference misses at most one thing, by turns; some miss
		// nothing.
		gap := k % 7
		tech, transport := domain.NeedArranged, domain.NeedArranged
		if gap == 5 {
			tech = domain.NeedIdentified
		}
		if gap == 6 {
			transport = domain.NeedIdentified
		}
		mum.Needs = append(mum.Needs, domain.Need{Kind: "technology", Status: tech})
		if k%2 == 1 {
			dad.Needs = append(dad.Needs, domain.Need{Kind: "transport", Status: transport})
		}
		talk := func(p *domain.Participant, with string, days int) {
			p.Contacts = append(p.Contacts, domain.Contact{ID: uuid.NewString(), With: with, On: before(days), Method: "phone"})
		}
		if gap != 1 {
			talk(&mum, "social_worker", 4)
		}
		if gap != 2 {
			talk(&mum, "chair", 1)
		}
		talk(&dad, "social_worker", 4)
		talk(&dad, "chair", 1)
		// Reports shared well before the day, or the day before it, after
		// they were due.
		sharedOn := before(7)
		if gap == 3 {
			sharedOn = before(1)
		}
		report := domain.Report{ID: uuid.NewString(), Agency: "social_care", Title: "Social work report", ReceivedOn: before(9), SharedWithChairOn: before(7), Shares: []domain.Share{}}
		for _, p := range []domain.Participant{mum, dad} {
			report.Shares = append(report.Shares, domain.Share{ID: uuid.NewString(), ParticipantID: p.ID, SharedOn: sharedOn}.WithDefaults())
		}
		child := domain.Child{Ref: fmt.Sprintf("H-%02d", k), Name: "Demo Child", Views: &domain.ChildViews{Means: "written", RecordedOn: before(6)}}
		if gap != 4 {
			child.Views.SharedOn = before(5)
		}
		professional := func(agency string) domain.Professional {
			return domain.Professional{ID: uuid.NewString(), ProfessionalFields: domain.ProfessionalFields{Agency: agency, Name: "Demo " + demoJob[agency], Attendance: domain.ProfessionalConfirmed}.WithDefaults()}
		}
		f := domain.ConferenceFields{ExternalRef: fmt.Sprintf("DEMO-H%02d", k+1), Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start.UTC()},
			Format: "hybrid", Status: domain.StatusHeld, StrategyDiscussionOn: before(14),
			Chair: &domain.Person{Ref: "CH-1", Name: "Demo Chair"}, SocialWorker: &domain.Person{Ref: "SW-1", Name: "Demo Social Worker"},
			Children: []domain.Child{child}}
		c, err := db.CreateConferenceWith(ctx, cs, f, store.Parts{Participants: []domain.Participant{mum, dad}, Reports: []domain.Report{report},
			Professionals: []domain.Professional{professional("social_care"), professional("police"), professional("health")}})
		if err != nil {
			return err
		}
		if k%6 == 5 {
			if _, err := db.AddReadinessCheck(ctx, chair, c.ID, domain.ReadinessCheck{Decision: "postpone", Note: "The family had not seen the reports"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoJob names a demo professional of an agency.
var demoJob = map[string]string{"social_care": "Social Worker", "police": "Officer", "health": "Health Visitor"}
