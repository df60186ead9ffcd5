package api

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// maxDepth is how deeply json v2 lets a body nest.
const maxDepth = 10000

// A body nested as deeply as the limit allows is refused without costing
// memory out of proportion to its size: paths are built only for errors.
func TestDecodeDeepNestingIsCheap(t *testing.T) {
	for name, body := range map[string]string{
		"arrays":  `{"children":` + strings.Repeat("[", maxBody/2),
		"objects": strings.Repeat(`{"a":`, maxBody/5),
		"allowed": `{"zzz":` + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + `}`,
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var f domain.ConferenceFields
		if err := decodeStrict([]byte(body), &f); domain.ErrorKind(err) != domain.EMALFORMED {
			t.Errorf("%s: %v, want malformed", name, err)
		}
		runtime.ReadMemStats(&after)
		if used := after.TotalAlloc - before.TotalAlloc; used > 64<<20 {
			t.Errorf("%s: %d MiB allocated for a body of %d KiB", name, used>>20, len(body)>>10)
		}
	}
}

// Members of embedded structs follow json v2's rules, which are Go's and
// encoding/json's: the shallower of two names wins, and two at one depth
// cancel out, so that name is unknown. A name given twice is refused
// whichever struct it belongs to.
func TestDecodeEmbeddedNames(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
		Note string
	}
	type other struct {
		Note string
	}
	type body struct {
		inner
		other
		Name string `json:"name"`
	}
	var b body
	if err := decodeStrict([]byte(`{"name":"outer"}`), &b); err != nil || b.Name != "outer" || b.inner.Name != "" {
		t.Fatalf("outer name: %v, %+v", err, b)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"Note":"x"}`, "Note"},
		{`{"name":"a","name":"b"}`, "name"},
		{`{"Name":"a"}`, "Name"},
	} {
		err := decodeStrict([]byte(tc.body), &body{})
		var de *domain.Error
		if domain.ErrorKind(err) != domain.EMALFORMED || !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want malformed naming %s", tc.body, err, tc.field)
		}
	}
}
