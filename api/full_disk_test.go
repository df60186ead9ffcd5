package api_test

import (
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/storetest"
)

// TestFullDiskRefusesWritesWhole fills a SQLite database the way a full
// disk does: SQLite's max_page_count, set on the server's one writer
// connection, makes any write that needs a new page fail with SQLITE_FULL.
// Creates go on until one needs that page. It must get a 503 problem with
// Retry-After and leave no row behind; reads that write nothing keep
// working; a read of a family's record is served only with its audit row.
// Once there is room again the file is whole, and the refused create,
// repeated with its Idempotency-Key, runs afresh.
func TestFullDiskRefusesWritesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "full.db")
	db, clock := storetest.MustOpenURL(t, path)
	e := newEnvOn(t, db, clock)
	cs, mgr, admin := e.key(orgA, domain.RoleCaseSystem), e.key(orgA, domain.RoleManager), e.key(orgA, domain.RoleAdmin)
	conf := e.mustCreate(orgA, "FULL-0")
	writer, err := db.SQL()
	if err != nil {
		t.Fatal(err)
	}
	look, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer look.Close()

	var pages int
	if err := writer.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	var refused resp
	var ref string
	created := 0
	for i := 1; i <= 500 && refused.Status == 0; i++ {
		before := rowCounts(t, look)
		ref = fmt.Sprintf("FULL-%d", i)
		r := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody(ref), Header: map[string]string{"Idempotency-Key": ref}})
		switch r.Status {
		case http.StatusCreated:
			created++ // it fitted in pages the file already had
		case http.StatusServiceUnavailable:
			refused = r
			if after := rowCounts(t, look); !maps.Equal(before, after) {
				t.Errorf("the refused create changed row counts from %v to %v", before, after)
			}
		default:
			t.Fatalf("create %s: %d %s", ref, r.Status, r.Body)
		}
	}
	if refused.Status == 0 {
		t.Fatal("no write was refused with the database at its page limit")
	}
	if typ := refused.JSON(t)["type"]; typ != "urn:cpcready:problem:"+domain.EUNAVAILABLE || refused.Header.Get("Retry-After") == "" {
		t.Errorf("refused write: type %v, Retry-After %q; want unavailable with Retry-After", typ, refused.Header.Get("Retry-After"))
	}

	// Reads that write nothing are unaffected.
	for _, r := range []req{{Method: "GET", Path: "/readyz"}, {Method: "GET", Path: "/healthz"}, {Method: "GET", Path: "/v1/policy", Key: admin}} {
		if got := e.do(r); got.Status != http.StatusOK {
			t.Errorf("%s while full: %d %s", r.Path, got.Status, got.Body)
		}
	}
	// A read of a family's record needs its audit row: it is served with
	// one, or refused without one, never served without.
	before := rowCounts(t, look)
	got := e.do(req{Method: "GET", Path: ctPath(conf), Key: mgr})
	after := rowCounts(t, look)
	switch {
	case got.Status == http.StatusOK && after["audit_events"] == before["audit_events"]+1:
	case got.Status == http.StatusServiceUnavailable && maps.Equal(before, after):
	default:
		t.Errorf("GET while full: %d with audit rows %d → %d", got.Status, before["audit_events"], after["audit_events"])
	}

	// Room again: the file is whole and the refused create runs afresh.
	if _, err := writer.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	var integrity string
	if err := writer.QueryRow("PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check: %q %v", integrity, err)
	}
	again := e.do(req{Method: "POST", Path: "/v1/conferences", Key: cs, Body: conferenceBody(ref), Header: map[string]string{"Idempotency-Key": ref}})
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("the refused create, repeated: %d replayed=%q %s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	var list struct{ Items []any }
	e.do(req{Method: "GET", Path: "/v1/conferences?external_ref=" + ref, Key: cs}).Decode(t, &list)
	if len(list.Items) != 1 {
		t.Errorf("%d conferences %s, want 1", len(list.Items), ref)
	}
	e.mustAddParticipant(orgA, conf)
	t.Logf("at the page limit %d creates fitted, the next was refused with 503 leaving no row; after room was made the file checked ok and the create ran", created)
}

// rowCounts counts the rows of every table in the file, as committed.
func rowCounts(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	counts := map[string]int{}
	for _, name := range tables {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "` + name + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[name] = n
	}
	return counts
}
