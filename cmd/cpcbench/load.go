package main

import (
	"context"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// loadShape says how hard to drive a scenario.
type loadShape struct {
	Conc int // connections, and in the closed model the requests in flight
	Rate int // requests a second in the open model; 0 for the closed model
}

// attack drives targets for d and tallies every answer. In the closed
// model exactly Conc requests are in flight at any moment: each worker
// sends its next request as soon as the last one is answered. In the open
// model requests start at Rate a second whatever the answers take, with as
// many workers as that needs.
func attack(ctx context.Context, targets vegeta.Targeter, shape loadShape, d time.Duration, name string) *tally {
	opts := []func(*vegeta.Attacker){
		vegeta.Connections(shape.Conc),
		vegeta.Workers(uint64(shape.Conc)),
		vegeta.MaxBody(0), // bodies are read to the end and discarded
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.Proxy(nil),
		vegeta.KeepAlive(true),
	}
	pace := vegeta.ConstantPacer{Freq: shape.Rate, Per: time.Second}
	if shape.Rate == 0 {
		opts = append(opts, vegeta.MaxWorkers(uint64(shape.Conc)))
	}
	a := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	t := newTally()
	began := time.Now()
	for res := range a.Attack(targets, pace, d, name) {
		t.add(int(res.Code), res.Latency, res.Error)
	}
	t.elapsed = time.Since(began)
	return t
}
