package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// TestInsightsRecountRepairsTallies damages the tallies behind the
// insights in a real database file, then repairs them with the command.
func TestInsightsRecountRepairsTallies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpcready.db")
	db, _ := storetest.MustOpenURL(t, path)
	p := domain.Principal{ID: "seed", Name: "seed", Role: domain.RoleCaseSystem, Org: "E09000006"}
	var cs []*domain.Conference
	for i := range 20 {
		yes := true
		start := time.Date(2026, time.Month(1+i%10), 10+i, 10, 0, 0, 0, time.UTC)
		cs = append(cs, &domain.Conference{
			ConferenceFields: domain.ConferenceFields{ExternalRef: fmt.Sprint("R-", i), Type: domain.TypeInitial, ScheduledStart: domain.Timestamp{Time: start}, Format: "video"},
			Participants:     []domain.Participant{{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), ParticipantFields: domain.ParticipantFields{DisplayName: "P", Relationship: "mother", Invited: &yes, Attendance: domain.AttendancePhone}}},
		})
	}
	if err := db.SeedConferences(context.Background(), p, cs); err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE insight_tallies SET numerator = numerator + 3 WHERE measure = 'phone_only'",
		"DELETE FROM insight_tallies WHERE measure = 'spoke_to_chair'",
		"INSERT INTO insight_tallies (org, day, measure, numerator, denominator) VALUES ('E09000006', '2026-12-25', 'spoke_to_chair', 1, 1)",
	} {
		if _, err := sqlDB.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	env := envOf(map[string]string{"CPCREADY_DATABASE_URL": path})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"insights", "--recount"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	// 20 phone_only tallies raised, 20 spoke_to_chair gone, one invented.
	if want := "recounted 20 conferences in 1 organisations: 41 tallies repaired"; strings.TrimSpace(out.String()) != want {
		t.Fatalf("first recount: %q, want %q", out.String(), want)
	}
	out.Reset()
	if err := run(context.Background(), []string{"insights", "--recount"}, env, &out, io.Discard); err != nil || !strings.Contains(out.String(), ": 0 tallies repaired") {
		t.Fatalf("second recount: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"insights"}, env, io.Discard, io.Discard); err == nil {
		t.Fatal("insights without --recount was accepted")
	}
}
