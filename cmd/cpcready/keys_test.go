package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// keys create takes an organisation code exactly as typed: one with a
// space, in lower case or carrying quotes would silently be a new tenant.
func TestKeysCreateRefusesMalformedOrganisationCodes(t *testing.T) {
	env := map[string]string{"CPCREADY_DATABASE_URL": filepath.Join(t.TempDir(), "orgs.db")}
	for _, org := range []string{" E09000006", "E09000006 ", "e09000006", `"E09000006"`, "E09'000006", "E09000006\t", "E0900000600000000", "E09-000006", "Ｅ09000006"} {
		var errOut bytes.Buffer
		err := run(context.Background(), []string{"keys", "create", "--org", org, "--role", "manager", "--name", "n"}, envOf(env), io.Discard, &errOut)
		if err == nil || !strings.Contains(err.Error(), "organisation code") {
			t.Errorf("--org %q: %v", org, err)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "list"}, envOf(env), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 {
		t.Errorf("refused creates stored keys:\n%s", out.String())
	}
}

// Each key carries its rate, set at create and shown by list beside the
// staff tokens' per-person default.
func TestKeysCarryTheirRateLimit(t *testing.T) {
	env := map[string]string{"CPCREADY_DATABASE_URL": filepath.Join(t.TempDir(), "rates.db"), "CPCREADY_RATE_LIMIT": "5", "CPCREADY_RATE_BURST": "10"}
	createKey(t, env, "manager")
	if err := run(context.Background(), []string{"keys", "create", "--org", "E09000006", "--role", "case_system", "--name", "nightly sync", "--rate-limit", "200"}, envOf(env), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"0", "-3", "1000001", "NaN", "lots"} {
		if err := run(context.Background(), []string{"keys", "create", "--org", "E09000006", "--role", "manager", "--name", "n", "--rate-limit", bad}, envOf(env), io.Discard, io.Discard); err == nil {
			t.Errorf("--rate-limit %s was accepted", bad)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "list"}, envOf(env), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	list := out.String()
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`RATE/S`),
		regexp.MustCompile(`manager\s+test\s+50\s`),
		regexp.MustCompile(`case_system\s+nightly sync\s+200\s`),
		regexp.MustCompile(`Staff tokens: 5 requests a second per person, bursts of 10`),
	} {
		if !want.MatchString(list) {
			t.Errorf("keys list does not match %s:\n%s", want, list)
		}
	}
}
