package notify_test

import (
	"os"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestIntegrationGuideWorkedSignature recomputes the guide's worked
// example, so that the guide cannot drift from what the sender does.
func TestIntegrationGuideWorkedSignature(t *testing.T) {
	guide, err := os.ReadFile("../../docs/integration.md")
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, line := range strings.Split(string(guide), "\n") {
		if strings.HasPrefix(line, `{"id":"5f0c8d4e-3a1b-4c2d-9e8f-7a6b5c4d3e2f"`) {
			body = line
		}
	}
	if body == "" {
		t.Fatal("the guide's example body is missing")
	}
	wh, err := standardwebhooks.NewWebhook("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign("5f0c8d4e-3a1b-4c2d-9e8f-7a6b5c4d3e2f", time.Unix(1795437300, 0), []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(guide), "webhook-signature: "+sig) {
		t.Fatalf("the guide's signature is not %s", sig)
	}
}
