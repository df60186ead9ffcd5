package api

import (
	"runtime"
	"strings"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
)

// A body nested as deeply as the limit allows is refused without costing
// memory out of proportion to its size: paths are built only for errors.
func TestCheckTextDeepNestingIsCheap(t *testing.T) {
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
