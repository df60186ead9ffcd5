package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/cpcready/cpcready/api"
)

// baselineHTTPCommand is the hidden subcommand that serves the HTTP
// baseline in a process of its own, as the real server runs in its own.
const baselineHTTPCommand = "baseline-http"

// runBaselineHTTP serves a fixed JSON body of the given size at the
// readiness path from a bare gin engine, with serve's timeouts, and prints
// its address on stdout once it listens.
func runBaselineHTTP(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(baselineHTTPCommand, flag.ContinueOnError)
	size := fs.Int("size", 1024, "bytes in each answer")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	body := paddedJSON(*size)
	e := gin.New()
	e.GET("/v1/conferences/:id/readiness", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// serve's own server settings, so both do the same work.
	hs := api.NewHTTPServer(e, nil)
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	fmt.Fprintln(stdout, ln.Addr().String())
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// paddedJSON is a JSON object of exactly size bytes (or the smallest one
// possible, when size is smaller than that).
func paddedJSON(size int) []byte {
	const head, foot = `{"status":"not_ready","padding":"`, `"}`
	return []byte(head + strings.Repeat("x", max(size-len(head)-len(foot), 0)) + foot)
}

// startBaselineHTTP runs this program's baseline-http subcommand and
// returns the process with its base URL.
func startBaselineHTTP(size int) (*process, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(self, baselineHTTPCommand, "-size", strconv.Itoa(size))
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = os.Stderr
	p, err := startProcess(cmd)
	if err != nil {
		return nil, "", err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = p.stop(5 * time.Second)
		return nil, "", fmt.Errorf("the HTTP baseline did not start: %w", err)
	}
	return p, "http://" + strings.TrimSpace(line), nil
}
