package workdays

import (
	"slices"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestParseExtra(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"2030-06-14", []string{"2030-06-14"}},
		{"2030-06-14, 2031-01-02", []string{"2030-06-14", "2031-01-02"}},
		{" 2030-06-14 ,2031-01-02 ,", []string{"2030-06-14", "2031-01-02"}},
	}
	for _, tt := range tests {
		got, err := ParseExtra(tt.in)
		if err != nil {
			t.Errorf("ParseExtra(%q): %v", tt.in, err)
			continue
		}
		var s []string
		for _, x := range got {
			s = append(s, x.String())
		}
		if !slices.Equal(s, tt.want) {
			t.Errorf("ParseExtra(%q) = %v, want %v", tt.in, s, tt.want)
		}
	}
}

func TestParseExtraRejectsBadDates(t *testing.T) {
	for _, bad := range []string{"2030-06-14, 14/06/2030", "2030-02-30", "tomorrow", "2030-6-1"} {
		got, err := ParseExtra(bad)
		if err == nil {
			t.Errorf("ParseExtra(%q) = %v, want an error", bad, got)
			continue
		}
		last := strings.TrimSpace(bad[strings.LastIndex(bad, ",")+1:])
		if !strings.Contains(err.Error(), last) {
			t.Errorf("ParseExtra(%q) error %q does not name %q", bad, err, last)
		}
	}
}

func TestParseExtraFeedsNew(t *testing.T) {
	extra, err := ParseExtra("2030-06-14,2030-06-17")
	if err != nil {
		t.Fatal(err)
	}
	c := New(extra)
	for _, s := range []string{"2030-06-14", "2030-06-17"} {
		if c.IsWorkingDay(d(s)) {
			t.Errorf("%s should be a bank holiday", s)
		}
	}
	if !c.IsWorkingDay(domain.NewDate(2030, 6, 18)) {
		t.Error("2030-06-18 should be a working day")
	}
}

func TestFingerprintFollowsTheExtraHolidays(t *testing.T) {
	a := New(nil).Fingerprint()
	b := New([]domain.Date{domain.NewDate(2027, 6, 7), domain.NewDate(2027, 1, 4)}).Fingerprint()
	c := New([]domain.Date{domain.NewDate(2027, 1, 4), domain.NewDate(2027, 6, 7)}).Fingerprint()
	if a == b || b != c || !strings.Contains(b, "2027-01-04,2027-06-07") {
		t.Fatalf("fingerprints: %q %q %q", a, b, c)
	}
}
