package audit

import (
	"encoding/json"
	"strings"
	"testing"
)

type person struct {
	Name       string `json:"display_name"`
	Attendance string `json:"attendance"`
	Safety     *struct {
		Concern string `json:"concern"`
		Note    string `json:"note"`
	} `json:"safety,omitempty"`
}

func TestDiffRecordsChangedFieldsOnly(t *testing.T) {
	before := person{Name: "Ann", Attendance: "unknown"}
	after := person{Name: "Ann", Attendance: "video"}
	d, err := Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) != 1 || d["attendance"].Before != "unknown" || d["attendance"].After != "video" {
		t.Fatalf("diff = %+v", d)
	}
}

func TestDiffRedactsPersonalText(t *testing.T) {
	before := person{Name: "Ann", Attendance: "phone"}
	after := person{Name: "Anne", Attendance: "phone"}
	after.Safety = &struct {
		Concern string `json:"concern"`
		Note    string `json:"note"`
	}{"domestic_abuse", "a secret note"}
	d, err := Diff(before, after)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(d)
	for _, s := range []string{"Ann", "Anne", "a secret note"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the diff holds %q: %s", s, raw)
		}
	}
	if !d["display_name"].Redacted || !d["safety.note"].Redacted || d["safety.concern"].After != "domestic_abuse" {
		t.Fatalf("diff = %s", raw)
	}
}

func TestDiffOfCreateAndDelete(t *testing.T) {
	created, _ := Diff(nil, person{Name: "Ann", Attendance: "video"})
	if len(created) != 2 || created["attendance"].Before != nil || created["attendance"].After != "video" {
		t.Fatalf("create diff = %+v", created)
	}
	deleted, _ := Diff(person{Name: "Ann", Attendance: "video"}, nil)
	if len(deleted) != 2 || deleted["attendance"].After != nil {
		t.Fatalf("delete diff = %+v", deleted)
	}
}

func TestDiffRedactsNamesInsideArrays(t *testing.T) {
	type child struct {
		Ref  string `json:"ref"`
		Name string `json:"name"`
	}
	type conf struct {
		Children []child `json:"children"`
	}
	d, err := Diff(conf{}, conf{Children: []child{{Ref: "C-1", Name: "Kim"}}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(d)
	if strings.Contains(string(raw), "Kim") || !d["children[0].name"].Redacted || d["children[0].ref"].After != "C-1" {
		t.Fatalf("diff = %s", raw)
	}
}
