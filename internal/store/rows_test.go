package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
)

// everyField returns a conference with every field of every part set, to
// values that differ with n, keeping the ids of the parts.
func everyField(id string, n int) *domain.Conference {
	yes := true
	s := func(v string) string { return fmt.Sprint(v, "-", n) }
	day := func(d int) *domain.Date { v := domain.NewDate(2026, 10, d+n); return &v }
	at := time.Date(2026, 11, 1+n, 9, 30, 15, 0, time.UTC)
	pid, rid := fmt.Sprint("10000000-0000-4000-8000-00000000000", n%2), fmt.Sprint("20000000-0000-4000-8000-00000000000", n%2)
	tally := domain.Tally{s("measure"): {Numerator: int64(1 + n), Denominator: int64(2 + n)}}
	finding := domain.Finding{Code: s("CODE"), Severity: domain.SeverityBlocker, Message: s("message"), ParticipantID: pid, ReportID: rid,
		ChildRef: s("child"), Kind: "childcare", Agency: "police", DueOn: day(2)}
	return &domain.Conference{
		ID: id,
		ConferenceFields: domain.ConferenceFields{
			ExternalRef: s("REF"), Type: domain.TypePreBirth, ScheduledStart: domain.Timestamp{Time: at.Add(24 * time.Hour)},
			Format: "hybrid", Status: domain.StatusPostponed, StrategyDiscussionOn: day(1), PreviousConferenceOn: day(2),
			PreviousConferenceType: domain.TypeReview, ExpectedDeliveryOn: day(3), TransferNoticeOn: day(4),
			Chair: &domain.Person{Ref: s("chair"), Name: s("Chair Name")}, SocialWorker: &domain.Person{Ref: s("sw"), Name: s("Worker Name")},
			Children: []domain.Child{{Ref: s("child"), Name: s("Child Name"), Unborn: true,
				Views: &domain.ChildViews{Means: "not_applicable", RecordedOn: day(5), SharedOn: day(6), Reason: s("reason")}}},
		},
		Participants: []domain.Participant{{ID: pid, ParticipantFields: domain.ParticipantFields{
			DisplayName: s("Parent Name"), Relationship: "mother", Invited: &yes, Attendance: domain.AttendanceVideo, NeedsAssessedOn: day(7),
			PrivateSpaceConfirmed: true, TechnologyChecked: true,
			Safety:                 &domain.Safety{Concern: "domestic_abuse", Arrangement: "separate_attendance", Note: s("note")},
			Exclusion:              &domain.Exclusion{DecidedByChairOn: day(8), Grounds: s("grounds")},
			ParentalResponsibility: true, InformedOn: day(9), AdvocacyOfferedOn: day(10), PersonRef: s("person"),
		}, Needs: []domain.Need{
			{Kind: "childcare", Status: domain.NeedArranged, Detail: s("detail"), Language: "cy", Interpreter: "family_member"},
			{Kind: "language", Status: domain.NeedArranged, Detail: s("detail"), Language: "pl", Interpreter: "professional"},
		}, Contacts: []domain.Contact{{ID: fmt.Sprint("30000000-0000-4000-8000-00000000000", n%2), With: "chair", On: day(11), Method: "phone"}}}},
		Reports: []domain.Report{{ID: rid, Agency: "health", Title: s("Title"), ReceivedOn: day(12), SharedWithChairOn: day(13),
			Shares: []domain.Share{{ID: fmt.Sprint("40000000-0000-4000-8000-00000000000", n%2), ParticipantID: pid, SharedOn: day(14),
				Language: "pl", Withheld: true, Reason: s("withheld"), ChairAgreedOn: day(15), Format: "other", FormatNote: s("format note")}}}},
		Professionals: []domain.Professional{{ID: fmt.Sprint("50000000-0000-4000-8000-00000000000", n%2), ProfessionalFields: domain.ProfessionalFields{
			Agency: "education", Role: s("Role"), Name: s("Professional Name"), Attendance: "confirmed", ReportExpected: &yes}}},
		Version: 3 + n,
		Readiness: domain.ReadinessSummary{Status: domain.NotReady, Blockers: 1 + n, Advisories: 2 + n, DueOn: day(16),
			Findings: []domain.Finding{finding}, Measures: tally, Rules: int64(7 + n)},
		CreatedAt: at, UpdatedAt: at.Add(time.Hour), PurgedAt: &at,
		History: domain.ConferenceHistory{PostponedByChair: true, AtStart: &domain.StartRecord{Status: domain.Ready, Needs: tally}},
	}
}

// derived are the fields a conference works out when it is read, and so
// never stores.
var derived = []string{"Readiness.Overdue", "Readiness.Findings[0].Overdue"}

// mustBeFull fails on every field of v, however deep, left at its zero
// value: a field added to the aggregate, or a column to a row, and left
// out of everyfield or of a mapper, fails the round trip here.
func mustBeFull(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	for _, d := range derived {
		if strings.HasSuffix(path, d) {
			return
		}
	}
	if z, ok := v.Interface().(interface{ IsZero() bool }); ok && v.Kind() == reflect.Struct {
		if z.IsZero() {
			t.Errorf("%s is zero", path)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			mustBeFull(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("%s is nil", path)
			return
		}
		mustBeFull(t, path, v.Elem())
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			t.Errorf("%s is empty", path)
		}
		if v.Kind() == reflect.Map {
			for _, k := range v.MapKeys() {
				mustBeFull(t, fmt.Sprintf("%s[%v]", path, k), v.MapIndex(k))
			}
			return
		}
		for i := range v.Len() {
			mustBeFull(t, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	default:
		if v.IsZero() {
			t.Errorf("%s is zero", path)
		}
	}
}

// TestAggregateRowsLoseNothing writes a conference with every field of
// every table set, reads it back, and requires every field to come back
// as written; then rewrites every field and does it again, so that both
// the insert and the update of each row are held to it.
func TestAggregateRowsLoseNothing(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	const org, id = "E09000006", "00000000-0000-4000-8000-000000000001"
	var was *domain.Conference
	for n := range 2 {
		c := everyField(id, n)
		mustBeFull(t, "Conference", reflect.ValueOf(c))
		row := store.RowOf(org, c)
		mustBeFull(t, reflect.TypeOf(row).Name(), reflect.ValueOf(row))
		if t.Failed() {
			t.FailNow()
		}
		if err := db.WriteAggregate(ctx, org, was, c); err != nil {
			t.Fatal(err)
		}
		got, err := db.ReadAggregate(ctx, org, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("write %d: the conference changed on the way through the database:\nwrote %+v\nread  %+v", n, *c, *got)
		}
		was = c
	}
}

// TestPartsSurviveTheMigrationBothWays stores a conference with every
// field set, undoes the migration that moved its parts onto its row, and
// does it again: the tables it had must hold the parts in between, and the
// conference must read back as it was written.
func TestPartsSurviveTheMigrationBothWays(t *testing.T) {
	db, _ := storetest.MustOpenDB(t)
	ctx := context.Background()
	const org, id = "E09000006", "00000000-0000-4000-8000-000000000002"
	c := everyField(id, 1)
	if err := db.WriteAggregate(ctx, org, nil, c); err != nil {
		t.Fatal(err)
	}
	if err := db.MigrateDownTo(ctx, 46); err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.SQL()
	for _, table := range []string{"children", "participants", "needs", "contacts", "reports", "report_shares", "professionals"} {
		var n int
		if err := sqlDB.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil || n == 0 {
			t.Errorf("%s holds %d rows after the migration is undone (%v)", table, n, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := db.ReadAggregate(ctx, org, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatalf("the conference changed on the way down and up again:\nwrote %+v\nread  %+v", *c, *got)
	}
}
