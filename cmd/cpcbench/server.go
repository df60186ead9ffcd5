package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
)

// liftedRateLimit replaces the per-person rate limit for the run (the key
// itself is created with the highest rate a key may have). Every request
// comes from one API key, so a default limit would cap the whole benchmark
// and answer the rest with 429.
// It is lifted rather than turned off (0) so that each request still pays
// for the limiter's check, as it does in production.
const liftedRateLimit = "1000000000"

// buildServer compiles ./cmd/cpcready of the module the command runs in.
func buildServer(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("cannot find the cpcready module: run inside it, or pass -server-bin")
	}
	bin := filepath.Join(dir, "cpcready")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cpcready")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/cpcready: %w\n%s", err, out)
	}
	return bin, nil
}

// createKey stores a new API key for the seeded organisation and returns
// it. A social worker may read everything the scenarios read and write
// needs.
func createKey(ctx context.Context, dbPath string) (string, error) {
	db, err := openBenchStore(ctx, dbPath)
	if err != nil {
		return "", err
	}
	defer db.Close()
	key, hash, err := auth.NewAPIKey()
	if err != nil {
		return "", err
	}
	// The key's own rate is the highest a key may have, so that its
	// limiter is checked on every request but never refuses one.
	if _, err := db.CreateAPIKeyWithRate(ctx, benchOrg, domain.RoleSocialWorker, "cpcbench", hash, domain.MaxKeyRateLimit); err != nil {
		return "", err
	}
	return key, checkpoint(db)
}

// process is a child process the benchmark started and stops.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // set when exited closes
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	// Ask the kernel to stop the child if the benchmark dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks the process to finish gracefully, then kills it.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("pid %d did not stop within %s and was killed", p.pid(), grace)
	}
}

// server is the running cpcready binary.
type server struct {
	*process
	base     string // http://127.0.0.1:port
	pprof    string // http://127.0.0.1:port, or "" when not profiling
	logPath  string
	settings []string // the environment it was given, for the report
}

// startServer runs `cpcready serve` on dbPath in release mode with default
// settings, apart from the lifted rate limit and, when asked, profiling.
func startServer(ctx context.Context, bin, dbPath, workDir string, profile bool) (*server, error) {
	return startServerWith(ctx, bin, dbPath, filepath.Join(workDir, "server.log"), profile, 50*time.Millisecond)
}

// startServerWith is startServer logging to logPath, with extra settings,
// asking /readyz every poll.
func startServerWith(ctx context.Context, bin, dbPath, logPath string, profile bool, poll time.Duration, extra ...string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	settings := []string{
		"CPCREADY_ADDR=" + addr,
		"CPCREADY_DATABASE_URL=" + dbPath,
		"CPCREADY_RATE_LIMIT=" + liftedRateLimit,
		// Nothing balances load here: stop at once when asked.
		"CPCREADY_DRAIN_DELAY=0s",
	}
	settings = append(settings, extra...)
	s := &server{base: "http://" + addr, logPath: logPath}
	if profile {
		pprofAddr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		settings = append(settings, "CPCREADY_PPROF_ADDR="+pprofAddr)
		s.pprof = "http://" + pprofAddr
	}
	s.settings = settings
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(withoutServiceSettings(os.Environ()), settings...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if s.process, err = startProcess(cmd); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, 5*time.Minute, poll); err != nil {
		_ = s.stop(10 * time.Second)
		return nil, err
	}
	return s, nil
}

// withoutServiceSettings drops the caller's CPCREADY_* variables, so that
// the server runs with its defaults whatever the shell has set.
func withoutServiceSettings(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "CPCREADY_") {
			out = append(out, kv)
		}
	}
	return out
}

// waitReady asks /readyz every poll until the server answers 200.
func (s *server) waitReady(ctx context.Context, limit, poll time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited at start-up (%v); its log:\n%s", s.err, tail(s.logPath, 2000))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("the server did not become ready within %s; its log:\n%s", limit, tail(s.logPath, 2000))
}

// freeAddr finds a free loopback port. Another process could take it
// before the server binds it, which on a benchmark machine is unlikely.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// tail returns the end of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
