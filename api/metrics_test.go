package api_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/cpcready/cpcready/internal/store"
)

// /metrics shows how SQLite writes share commits.
func TestMetricsCountCommitsAndWrites(t *testing.T) {
	e := newEnv(t)
	if e.db.Dialect != store.SQLite {
		t.Skip("group commit is SQLite's")
	}
	for i := range 3 {
		e.mustCreate(orgA, "M-"+strconv.Itoa(i))
	}
	body := string(e.do(req{Method: "GET", Path: "/metrics"}).Body)
	value := func(name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s", name)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		return v
	}
	commits, writes := value("cpcready_sqlite_commits_total"), value("cpcready_sqlite_writes_total")
	if writes < 3 || commits < 1 || commits > writes {
		t.Errorf("%v commits of %v writes after three creates", commits, writes)
	}
}
