// Command cpcbench measures the real cpcready server under load: it seeds a
// database of realistic conferences, starts the server binary on it, drives
// each scenario over loopback and compares the results with what bare HTTP
// and bare durable SQLite transactions achieve on the same machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == baselineHTTPCommand {
		err = runBaselineHTTP(ctx, os.Args[2:], os.Stdout)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cpcbench:", err)
		}
		os.Exit(1)
	}
}

// run is the whole benchmark, with its arguments and output passed in so
// that a test can run it like a user would.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	b, err := newBench(ctx, opts, stdout)
	if err != nil {
		return err
	}
	defer b.close()
	rep, err := b.run(ctx)
	if err != nil {
		return err
	}
	printReport(stdout, rep)
	if opts.JSONPath != "" {
		if err := writeJSON(opts.JSONPath, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nAll figures written to %s\n", opts.JSONPath)
	}
	return nil
}
