package notify

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// RetryDelays are the gaps between tries of one delivery: ten tries over
// about 23 hours, each gap longer than the one before, so a receiver down
// for a day still hears of everything, and one that is briefly down hears
// soon.
var RetryDelays = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 9 * time.Hour,
}

// retryIn is the gap after the given try of a round (1 is the first), with
// ±10% jitter so that receivers that failed together are not all retried
// at the same instant. It reports false after the last try.
func retryIn(try int) (time.Duration, bool) {
	if try > len(RetryDelays) {
		return 0, false
	}
	d := RetryDelays[try-1]
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d)), true
}

// Sender fans events out to subscriptions and sends due deliveries. Any
// number of instances may run one: claims are leased in the database.
type Sender struct {
	DB      *store.DB
	Client  *http.Client
	Metrics *Metrics
	Log     *slog.Logger
	// Workers is how many deliveries are sent at once; Batch how many are
	// claimed per pass.
	Workers, Batch int
}

// lease is how long a claim keeps other instances off a delivery: longer
// than a send can take, short enough that a crashed sender's work is
// soon picked up again.
const lease = 30 * time.Second

// RunOnce fans out new events and sends every delivery now due, pass after
// pass until none is. It returns how many it sent.
func (s *Sender) RunOnce(ctx context.Context) (int, error) {
	if _, err := s.DB.FanOut(ctx); err != nil {
		return 0, err
	}
	sent := 0
	for {
		jobs, err := s.DB.ClaimDeliveries(ctx, s.batch(), lease)
		if err != nil || len(jobs) == 0 {
			return sent, err
		}
		if err := s.sendAll(ctx, jobs); err != nil {
			return sent, err
		}
		sent += len(jobs)
	}
}

func (s *Sender) batch() int {
	if s.Batch <= 0 {
		return 50
	}
	return s.Batch
}

func (s *Sender) sendAll(ctx context.Context, jobs []store.DeliveryJob) error {
	workers := s.Workers
	if workers <= 0 {
		workers = 8
	}
	queue := make(chan store.DeliveryJob)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range queue {
				errs <- s.deliver(ctx, job)
			}
		}()
	}
	for _, job := range jobs {
		queue <- job
	}
	close(queue)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// deliver makes one try and records it.
func (s *Sender) deliver(ctx context.Context, job store.DeliveryJob) error {
	start := time.Now()
	res := s.send(ctx, job)
	res.Duration = time.Since(start)
	if ctx.Err() != nil {
		// Stopping: the try was cut short by us, not failed by the
		// receiver. Its claim runs out and it is sent again.
		return nil
	}
	if res.Outcome != domain.OutcomeDelivered {
		res.RetryIn, res.Dead = 0, true
		if d, ok := retryIn(job.Round + 1); ok {
			res.RetryIn, res.Dead = d, false
		}
	}
	disabled, err := s.DB.RecordAttempt(context.WithoutCancel(ctx), job, res)
	if err != nil {
		return err
	}
	s.Metrics.observe(res, s.DB.Now().Sub(job.EventTime))
	if disabled {
		s.log().Warn("webhook disabled after repeated failures", slog.String("webhook_id", job.WebhookID))
	}
	return nil
}

// send POSTs the event, signed with the subscription's secret.
func (s *Sender) send(ctx context.Context, job store.DeliveryJob) store.AttemptResult {
	wh, err := standardwebhooks.NewWebhook(job.Secret)
	if err != nil {
		return store.AttemptResult{Outcome: domain.OutcomeNetwork}
	}
	// The webhook-id is the event's id: the same on every try and every
	// redelivery, so a receiver de-duplicates by it.
	now := s.DB.Now()
	sig, err := wh.Sign(job.EventID, now, job.Body)
	if err != nil {
		return store.AttemptResult{Outcome: domain.OutcomeNetwork}
	}
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.URL, bytes.NewReader(job.Body))
	if err != nil {
		return store.AttemptResult{Outcome: domain.OutcomeNetwork}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "cpcready-webhooks")
	req.Header.Set(standardwebhooks.HeaderWebhookID, job.EventID)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := s.Client.Do(req)
	switch {
	case err != nil && refused(err):
		return store.AttemptResult{Outcome: domain.OutcomeRefused}
	case err != nil && timedOut(err):
		return store.AttemptResult{Outcome: domain.OutcomeTimeout}
	case err != nil:
		return store.AttemptResult{Outcome: domain.OutcomeNetwork}
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; the
	// answer itself is never stored.
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return store.AttemptResult{Outcome: domain.OutcomeHTTPStatus, StatusCode: resp.StatusCode}
	}
	if err != nil && timedOut(err) {
		return store.AttemptResult{Outcome: domain.OutcomeTimeout, StatusCode: resp.StatusCode}
	}
	return store.AttemptResult{Outcome: domain.OutcomeDelivered, StatusCode: resp.StatusCode}
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// Run sends until ctx ends, a pass every interval.
func (s *Sender) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("webhook delivery failed", slog.String("error_type", fmt.Sprintf("%T", err)))
		}
		if n, err := s.DB.PendingDeliveries(ctx); err == nil {
			s.Metrics.pending(n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
