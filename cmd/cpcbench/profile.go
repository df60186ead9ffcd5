package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// cpuProfile asks the server's pprof listener for a CPU profile lasting d
// (whole seconds, at least one, as the endpoint takes) and writes it to
// dir/name.cpu.pprof. Call it as the scenario starts; the answer arrives
// when the profile ends.
func cpuProfile(ctx context.Context, pprofBase, dir, name string, d time.Duration) (string, error) {
	seconds := max(int(math.Round(d.Seconds())), 1)
	url := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofBase, seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return "", fmt.Errorf("CPU profile: %s: %s", resp.Status, b)
	}
	path := filepath.Join(dir, name+".cpu.pprof")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
