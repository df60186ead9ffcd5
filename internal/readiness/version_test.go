package readiness

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/workdays"
)

// rulesOutput records what each RulesVersion gives on a fixed set of
// generated conferences. Add a line when bumping the version.
var rulesOutput = map[string]string{
	"2026-11-23.1": "dd42b601d9bba56eedbde83636e0ac6c08899252eea59e05c8ad7454839a2f8c",
	// Version 2 of the rules: the London, Sussex and Wales procedures.
	"2026-12-01.1": "480f00b72d40ee66bfda82e309158fe8aa518713a4cde7d180f056c91cf38f6f",
}

// TestRulesVersionIsBumped guards stored findings: a change to what the
// rules find must come with a new RulesVersion, or servers already running
// would keep serving findings from the old rules.
func TestRulesVersionIsBumped(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	cal := workdays.New(nil)
	h := sha256.New()
	for i := range 2000 {
		c := generate(r, i)
		b, err := json.Marshal(findings(c, domain.DefaultPolicy(), cal))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want, ok := rulesOutput[RulesVersion]; !ok || got != want {
		t.Fatalf("the rules' output is %s, but RulesVersion %q recorded %q: if the rules changed on purpose, bump RulesVersion and record this output under it", got, RulesVersion, want)
	}
}
