package api_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/storetest"
	"github.com/cpcready/cpcready/internal/workdays"
)

// beforeRulesV2 is the last migration before readiness rules version 2.
const beforeRulesV2 = 14

// TestRulesV2MigrationRenamesInterpreterNeeds stores a conference as the
// release before rules version 2 did, with an interpreter need, a share
// and a policy of the organisation's own, then migrates and reads it back
// through the API on either database: the need is a language need, the
// share went out in writing, and the policy keeps its own report days for
// the chair and takes the defaults for the rest.
func TestRulesV2MigrationRenamesInterpreterNeeds(t *testing.T) {
	url := filepath.Join(t.TempDir(), "old.db")
	if os.Getenv(storetest.PostgresEnv) != "" {
		url = storetest.PostgresSchemaURL(t)
	}
	db, err := store.Open(store.Config{URL: url, MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	clock := storetest.NewClock(storetest.DefaultNow)
	db.Now, db.Evaluate = clock.Now, readiness.Evaluator(clock.Now, workdays.New(nil))
	ctx := context.Background()
	if err := db.MigrateTo(ctx, beforeRulesV2); err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	const conf, pid, rid = "6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b01", "6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b02", "6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b03"
	for _, stmt := range []string{
		`INSERT INTO conferences (id, org, external_ref, type, scheduled_start, format, status, version, readiness_status, readiness_blockers, readiness_advisories, created_at, updated_at)
		 VALUES ('` + conf + `', '` + orgA + `', 'OLD-1', 'pre_birth', '2026-12-07 10:00:00+00:00', 'hybrid', 'scheduled', 3, 'not_ready', 1, 0, '2026-11-20 10:00:00+00:00', '2026-11-20 10:00:00+00:00')`,
		`INSERT INTO participants (id, conference_id, position, display_name, relationship, invited, attendance, private_space_confirmed, technology_checked)
		 VALUES ('` + pid + `', '` + conf + `', 0, 'Parent', 'mother', TRUE, 'in_person', FALSE, FALSE)`,
		`INSERT INTO needs (participant_id, kind, status, language) VALUES ('` + pid + `', 'interpreter', 'arranged', 'pl')`,
		`INSERT INTO reports (id, conference_id, position, agency, title) VALUES ('` + rid + `', '` + conf + `', 0, 'social_care', 'Assessment')`,
		`INSERT INTO report_shares (id, report_id, participant_id, position, shared_on, language, withheld)
		 VALUES ('6f1c0b1e-5f3c-4c55-9a4b-8d3e2f1a0b04', '` + rid + `', '` + pid + `', 0, '2026-11-20', 'pl', FALSE)`,
		`INSERT INTO policies (org, report_days_initial, report_days_review, report_days_pre_birth, icpc_working_days, first_review_months, review_interval_months, phone_only_attendance, version, updated_at)
		 VALUES ('` + orgA + `', 2, 4, 6, 15, 3, 6, TRUE, 1, '2026-11-20 10:00:00+00:00')`,
	} {
		if _, err := sqlDB.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, db, clock)

	var c domain.Conference
	r := e.do(req{Method: "GET", Path: "/v1/conferences/" + conf, Key: e.key(orgA, domain.RoleManager)})
	rrStatus(t, r, 200)
	r.Decode(t, &c)
	if len(c.Participants) != 1 || len(c.Participants[0].Needs) != 1 {
		t.Fatalf("participants %+v", c.Participants)
	}
	if n := c.Participants[0].Needs[0]; n != (domain.Need{Kind: "language", Status: "arranged", Language: "pl"}) {
		t.Errorf("need after the migration = %+v, want a language need", n)
	}
	if s := c.Reports[0].Shares[0]; s.Format != domain.FormatWritten {
		t.Errorf("share format after the migration = %q, want written", s.Format)
	}
	if c.Professionals == nil || len(c.Professionals) != 0 || c.ExpectedDeliveryOn != nil {
		t.Errorf("professionals %v, expected delivery %v", c.Professionals, c.ExpectedDeliveryOn)
	}
	var pol domain.Policy
	r = e.do(req{Method: "GET", Path: "/v1/policy", Key: e.key(orgA, domain.RoleAdmin)})
	rrStatus(t, r, 200)
	r.Decode(t, &pol)
	if pol.ChairReportDays != (domain.ReportDays{Initial: 2, Review: 4, PreBirth: 6}) || pol.QuorumOtherAgencies != 2 ||
		pol.PreBirthLatestWeek != 28 || pol.TransferInDays != 15 || pol.Version != 1 {
		t.Errorf("policy after the migration = %+v", pol)
	}

	// The renamed need answers to its new name, and the old name is gone.
	sw := e.key(orgA, domain.RoleSocialWorker)
	needs := "/v1/conferences/" + conf + "/participants/" + pid + "/needs/"
	rrStatus(t, e.do(req{Method: "PUT", Path: needs + "language", Key: sw, Body: map[string]any{"status": "arranged", "language": "pl", "interpreter": "family_member"}}), 200)
	rrProblem(t, e.do(req{Method: "DELETE", Path: needs + "interpreter", Key: sw, Header: map[string]string{"If-Match": "*"}}), 404)
	rd := rrGetReadiness(e, orgA, conf)
	if len(rrFindings(rd.Findings, "INTERPRETER_NOT_INDEPENDENT")) != 1 {
		t.Errorf("a family member interpreting: %+v", rd.Findings)
	}
}
