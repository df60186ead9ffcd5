package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The real binary, built once for the tests that run it as a separate
// process: a process can be killed or signalled as an orchestrator would.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binary returns the path of cpcready built from this package.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "cpcready-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "cpcready")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// processEnv is this process's environment without any cpcready setting,
// plus the given ones: the binary sees only what the test chose.
func processEnv(settings ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CPCREADY_") {
			env = append(env, kv)
		}
	}
	return append(env, settings...)
}

// binaryKey creates an API key with the binary's own keys command.
func binaryKey(t *testing.T, dbPath, role string) string {
	t.Helper()
	cmd := exec.Command(binary(t), "keys", "create", "--org", "E09000006", "--role", role, "--name", "process test")
	cmd.Env = processEnv("CPCREADY_DATABASE_URL=" + dbPath)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// process is `cpcready serve` running as a child process.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	logs   *lockedBuffer
	exited chan struct{}
	err    error // what Wait returned, once exited is closed
}

// startServe runs `cpcready serve` on dbPath at a free port, with the rate
// limit off and the given extra settings, and waits until /readyz answers.
func startServe(t *testing.T, dbPath string, settings ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	p := &process{t: t, base: "http://" + addr, logs: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(binary(t), "serve")
	p.cmd.Env = processEnv(append([]string{"CPCREADY_DATABASE_URL=" + dbPath, "CPCREADY_ADDR=" + addr, "CPCREADY_RATE_LIMIT=0", "CPCREADY_DRAIN_DELAY=100ms"}, settings...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("serve exited at start: %v\n%s", p.err, p.logs.String())
		default:
		}
		if res, err := http.Get(p.base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("serve never became ready\n%s", p.logs.String())
	return nil
}

// signal sends sig to the process.
func (p *process) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits up to limit for the process to exit and returns Wait's error.
func (p *process) wait(limit time.Duration) error {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.err
	case <-time.After(limit):
		p.t.Fatalf("serve still running after %v\n%s", limit, p.logs.String())
		return nil
	}
}
