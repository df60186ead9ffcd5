package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
)

// The profiling listener answers on its own address when asked for, and
// the configuration leaves it off by default.
func TestPprofListener(t *testing.T) {
	cfg, err := loadConfig(func(string) string { return "" })
	if err != nil || cfg.PprofAddr != "" {
		t.Fatalf("default pprof address %q (%v), want off", cfg.PprofAddr, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := startPprof(ctx, addr, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /debug/pprof/cmdline: %s", resp.Status)
	}
	if resp, err := http.Get("http://" + addr + "/v1/conferences"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the pprof listener answered an API path with %s", resp.Status)
		}
	}
}
