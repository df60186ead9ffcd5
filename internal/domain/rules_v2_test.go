package domain

import (
	"reflect"
	"testing"
	"time"
)

// The invariants version 2 of the rules adds, each refused with its field.
func TestRulesV2Invariants(t *testing.T) {
	d := func(s string) *Date { v, _ := ParseDate(s); return &v }
	start := Timestamp{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	conf := func(typ ConferenceType, edit func(*ConferenceFields)) error {
		f := ConferenceFields{ExternalRef: "X", Type: typ, ScheduledStart: start, Format: "video", Children: []Child{{Ref: "C", Unborn: true}}}
		edit(&f)
		return f.Validate(today)
	}
	yes := true
	participant := func(edit func(*ParticipantFields)) error {
		f := ParticipantFields{DisplayName: "P", Relationship: "mother", Invited: &yes, Attendance: AttendanceVideo}
		edit(&f)
		return f.Validate(today)
	}
	share := func(s Share) error {
		s.ParticipantID = "6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b9c"
		return s.Validate(today)
	}
	cases := []struct {
		name string
		err  error
		want []string // nil: valid
	}{
		{"pre-birth with a delivery date and an unborn child", conf(TypePreBirth, func(f *ConferenceFields) { f.ExpectedDeliveryOn = d("2027-03-01") }), nil},
		{"pre-birth without a delivery date", conf(TypePreBirth, func(*ConferenceFields) {}), []string{"expected_delivery_on"}},
		{"pre-birth without a child", conf(TypePreBirth, func(f *ConferenceFields) { f.ExpectedDeliveryOn, f.Children = d("2027-03-01"), nil }), []string{"children"}},
		{"a delivery date on an initial", conf(TypeInitial, func(f *ConferenceFields) { f.ExpectedDeliveryOn = d("2027-03-01") }), []string{"expected_delivery_on"}},
		{"transfer-in with a notice", conf(TypeTransferIn, func(f *ConferenceFields) { f.TransferNoticeOn = d("2026-11-20") }), nil},
		{"transfer-in notice tomorrow", conf(TypeTransferIn, func(f *ConferenceFields) { f.TransferNoticeOn = d("2026-11-24") }), []string{"transfer_notice_on"}},
		{"a notice on a review", conf(TypeReview, func(f *ConferenceFields) { f.TransferNoticeOn = d("2026-11-20") }), []string{"transfer_notice_on"}},
		{"none needed with a note", participant(func(f *ParticipantFields) {
			f.Safety = &Safety{Concern: "other", Arrangement: "none_needed", Note: "moved away"}
		}), nil},
		{"none needed without a note", participant(func(f *ParticipantFields) { f.Safety = &Safety{Concern: "other", Arrangement: "none_needed"} }), []string{"safety.note"}},
		{"informed tomorrow", participant(func(f *ParticipantFields) { f.InformedOn = d("2026-11-24") }), []string{"informed_on"}},
		{"advocacy offered tomorrow", participant(func(f *ParticipantFields) { f.AdvocacyOfferedOn = d("2026-11-24") }), []string{"advocacy_offered_on"}},
		{"a spoken share", share(Share{SharedOn: d("2026-11-20"), Format: FormatSpoken}), nil},
		{"another format without a note", share(Share{SharedOn: d("2026-11-20"), Format: FormatOther}), []string{"format_note"}},
		{"a note on a written share", share(Share{SharedOn: d("2026-11-20"), Format: FormatWritten, FormatNote: "x"}), []string{"format_note"}},
		{"a format on a withholding", share(Share{Withheld: true, Reason: "risk", Format: FormatSpoken}), []string{"format"}},
		{"views not applicable with a reason", (&ChildViews{Means: ViewsNotApplicable, Reason: "a baby"}).Validate(today), nil},
		{"views not applicable without a reason", (&ChildViews{Means: ViewsNotApplicable, Reason: " "}).Validate(today), []string{"reason"}},
		{"a reason for written views", (&ChildViews{Means: "written", Reason: "x"}).Validate(today), []string{"reason"}},
		{"an arranged language need", (&Need{Kind: NeedLanguage, Status: NeedArranged, Language: "pl", Interpreter: InterpreterFamilyMember}).Validate(), nil},
		{"an arranged language need with nobody to interpret", (&Need{Kind: NeedLanguage, Status: NeedArranged, Language: "pl"}).Validate(), []string{"interpreter"}},
		{"an identified language need without a language", (&Need{Kind: NeedLanguage, Status: NeedIdentified}).Validate(), []string{"language"}},
		{"an interpreter for transport", (&Need{Kind: "transport", Status: NeedArranged, Interpreter: InterpreterProfessional}).Validate(), []string{"interpreter"}},
		{"the report reached the chair tomorrow", (&Report{Agency: "police", Title: "T", SharedWithChairOn: d("2026-11-24")}).Validate(today), []string{"shared_with_chair_on"}},
	}
	for _, tc := range cases {
		if tc.want == nil {
			if tc.err != nil {
				t.Errorf("%s: refused: %v", tc.name, tc.err)
			}
			continue
		}
		if tc.err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := fieldsOf(t, tc.err); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: fields %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestProfessionalDefaults(t *testing.T) {
	f := ProfessionalFields{Agency: "health", Name: "Health Visitor"}.WithDefaults()
	if f.Attendance != ProfessionalInvited || f.ReportExpected == nil || !*f.ReportExpected {
		t.Fatalf("defaults %+v", f)
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	no := false
	f = ProfessionalFields{Agency: "health", Name: "H", Attendance: "confirmed", ReportExpected: &no}.WithDefaults()
	if f.Attendance != "confirmed" || *f.ReportExpected {
		t.Fatalf("defaults overrode what was sent: %+v", f)
	}
	bad := ProfessionalFields{Agency: "fire", Attendance: "maybe"}.WithDefaults()
	if got := fieldsOf(t, bad.Validate()); !reflect.DeepEqual(got, []string{"agency", "name", "attendance"}) {
		t.Fatalf("fields %v", got)
	}
}
