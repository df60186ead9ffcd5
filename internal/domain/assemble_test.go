package domain

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A conference put together part by part is the conference it was given,
// and the changes are the ones each part's own method reports.
func TestAssembleBuildsThroughTheMethods(t *testing.T) {
	whole := sampleConference()
	whole.Version = 0
	whole.Reports[0].Shares[0].Language, whole.Reports[0].Shares[0].Format = "", "" // defaults come back
	c, changes, err := Assemble(whole, today)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jsonOf(t, c), jsonOf(t, sampleConference()); strings.Replace(got, `"version":0`, `"version":3`, 1) != want {
		t.Errorf("assembled:\n %s\nwant\n %s", got, want)
	}
	var got []string
	for _, ch := range changes {
		got = append(got, ch.Action+" "+ch.Entity)
	}
	want := []string{"create conference", "create child_views", "create participant", "create need", "create contact",
		"create participant", "create report", "create share", "create professional"}
	if !slices.Equal(got, want) {
		t.Errorf("changes %q\nwant %q", got, want)
	}
	if c.Status != StatusScheduled {
		t.Errorf("status %q", c.Status)
	}
}

// Assemble refuses what the methods refuse, naming each part by its path,
// all at once; a refused part's own parts are still checked, and nothing
// else is said about them.
func TestAssembleNamesEveryRefusedPart(t *testing.T) {
	tomorrow := today.AddDays(1)
	for _, tc := range []struct {
		name   string
		change func(c *Conference)
		fields []string
	}{
		{"a conference field and a nested one", func(c *Conference) {
			c.Format = "carrier_pigeon"
			c.Participants[1].Relationship = "landlord"
		}, []string{"format", "participants[1].relationship"}},
		{"a refused participant's needs are still checked", func(c *Conference) {
			c.Participants[0].DisplayName = ""
			c.Participants[0].Needs = append(c.Participants[0].Needs, Need{Kind: NeedLanguage, Status: NeedIdentified})
		}, []string{"participants[0].display_name", "participants[0].needs[1].language"}},
		{"a need given twice and an unknown one", func(c *Conference) {
			c.Participants[0].Needs = append(c.Participants[0].Needs, Need{Kind: "childcare", Status: NeedArranged})
			c.Participants[1].Needs = []Need{{Kind: "jetpack", Status: NeedArranged}}
		}, []string{"participants[0].needs[1].kind", "participants[1].needs[0].kind"}},
		{"a person_ref twice", func(c *Conference) { c.Participants[1].PersonRef = "P-1" }, []string{"participants[1].person_ref"}},
		{"a share to nobody and one withheld without a reason", func(c *Conference) {
			c.Reports[0].Shares[0].ParticipantID = noSuchPart
			c.Reports[0].Shares = append(c.Reports[0].Shares, Share{ID: newID, ParticipantID: dad, Withheld: true})
		}, []string{"reports[0].shares[0].participant_id", "reports[0].shares[1].reason"}},
		{"a refused report's shares are still checked", func(c *Conference) {
			c.Reports[0].Title = ""
			c.Reports[0].Shares[0].SharedOn = &tomorrow
		}, []string{"reports[0].title", "reports[0].shares[0].shared_on"}},
		{"a conversation tomorrow and views without a reason", func(c *Conference) {
			c.Participants[0].Contacts[0].On = &tomorrow
			c.Children[1].Views = &ChildViews{Means: ViewsNotApplicable}
		}, []string{"participants[0].contacts[0].on", "children[1].views.reason"}},
		{"a professional who may come", func(c *Conference) { c.Professionals[0].Attendance = "maybe" }, []string{"professionals[0].attendance"}},
		{"two parts with one id", func(c *Conference) { c.Participants[1].ID = mum }, []string{"participants[1].id"}},
		{"one family member too many", func(c *Conference) { fillParticipants(MaxParticipants + 1)(c) }, []string{"participants"}},
		{"one conversation too many", func(c *Conference) { fillContacts(MaxContacts + 1)(c) }, []string{"participants[0].contacts"}},
		{"one report too many", func(c *Conference) { fillReports(MaxReports + 1)(c) }, []string{"reports"}},
		{"one share too many", func(c *Conference) { fillShares(MaxShares + 1)(c) }, []string{"reports[0].shares"}},
		{"one professional too many", func(c *Conference) { fillProfessionals(MaxProfessionals + 1)(c) }, []string{"professionals"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := sampleConference()
			tc.change(whole)
			c, changes, err := Assemble(whole, today)
			if c != nil || changes != nil {
				t.Error("a refused conference was returned")
			}
			got := fieldsOf(t, err)
			slices.Sort(got)
			if want := slices.Sorted(slices.Values(tc.fields)); !slices.Equal(got, want) {
				t.Errorf("fields %q, want %q", got, want)
			}
		})
	}
	// At each limit, the conference is still accepted.
	whole := sampleConference()
	for _, fill := range []func(*Conference){fillParticipants(MaxParticipants), fillContacts(MaxContacts), fillReports(MaxReports), fillShares(MaxShares), fillProfessionals(MaxProfessionals)} {
		fill(whole)
	}
	if _, _, err := Assemble(whole, today); err != nil {
		t.Errorf("a conference at every limit: %v", err)
	}
}

// A one-call create names family members by person_ref; its shares are
// resolved to the members' new ids, and one naming nobody is refused at
// its person_ref.
func TestDraftResolvesPersonRefs(t *testing.T) {
	d := Draft{ConferenceFields: sampleConference().Fields(),
		Participants: []DraftParticipant{
			{ParticipantFields: parent("Mum", "mother", "P-1"), Needs: []Need{{Kind: "childcare", Status: NeedArranged}}},
			{ParticipantFields: parent("Dad", "father", "P-2")},
		},
		Reports: []DraftReport{{ReportFields: ReportFields{Agency: "health", Title: "Health"}, Shares: []DraftShare{
			{PersonRef: "P-2", ShareFields: ShareFields{SharedOn: &today}},
			{PersonRef: "P-1", ShareFields: ShareFields{Withheld: true, Reason: "risk"}},
		}}},
		Professionals: []ProfessionalFields{{Agency: "police", Name: "Officer"}},
	}
	c, _, err := d.Conference(today)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{c.ID: true}
	for _, p := range c.Participants {
		ids[p.ID] = true
	}
	ids[c.Reports[0].ID], ids[c.Reports[0].Shares[0].ID], ids[c.Professionals[0].ID] = true, true, true
	if len(ids) != 6 || ids[""] {
		t.Errorf("ids %v: want six different ones", ids)
	}
	if sh := c.Reports[0].Shares; sh[0].ParticipantID != c.Participants[1].ID || sh[1].ParticipantID != c.Participants[0].ID || sh[0].Language != "en" {
		t.Errorf("shares %+v", sh)
	}
	if c.Professionals[0].Attendance != ProfessionalInvited || len(c.Participants[0].Needs) != 1 {
		t.Errorf("defaults and needs: %+v", c)
	}

	d.Reports[0].Shares[1].PersonRef = "P-9"
	d.Participants[1].PersonRef = "P-1"
	_, _, err = d.Conference(today)
	got := fieldsOf(t, err)
	slices.Sort(got)
	// P-1 is mum's: the share to P-2 names nobody once dad's is refused.
	if want := []string{"participants[1].person_ref", "reports[0].shares[0].person_ref", "reports[0].shares[1].person_ref"}; !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
	if !strings.Contains(fmt.Sprint(err.(*Error).Fields), "names no participant") {
		t.Errorf("errors %+v", err.(*Error).Fields)
	}
}
