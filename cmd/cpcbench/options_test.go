package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestOptions(t *testing.T) {
	o, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.N != 10_000 || o.Conc != 32 || o.WriteConc != 64 || o.Rate != 0 || len(o.Scenarios) != len(scenarios) {
		t.Errorf("defaults %+v", o)
	}
	if o, err = parseOptions([]string{"-reuse-cache"}, io.Discard); err != nil || slices.Contains(o.Scenarios, startupName) || len(o.Scenarios) != len(scenarios)-1 {
		t.Errorf("with -reuse-cache the default scenarios are %v (%v), want all but startup", o.Scenarios, err)
	}
	o, err = parseOptions([]string{"-scenarios", "write, readiness,write"}, io.Discard)
	if err != nil || strings.Join(o.Scenarios, ",") != "write,readiness" {
		t.Errorf("scenarios %v (%v), want write and readiness once each, in that order", o.Scenarios, err)
	}
	for _, bad := range [][]string{
		{"-scenarios", "readiness,nonsense"}, {"-scenarios", ","}, {"-n", "0"}, {"-c", "0"},
		{"-d", "0s"}, {"-rate", "-1"}, {"-no-cache", "-reuse-cache"}, {"extra"}, {"-reuse-cache", "-scenarios", "startup"},
	} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
}
