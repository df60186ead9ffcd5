package domain

import (
	"slices"
	"strings"
)

// Measure names: the keys under which a conference's counts are kept and
// summed. Needs are kept per kind as NeedsPrefix+kind.
const (
	MeasureSpokeToSocialWorker = "spoke_to_social_worker"
	MeasureSpokeToChair        = "spoke_to_chair"
	MeasureReportsSharedInTime = "reports_shared_in_time"
	MeasureChildViewsShared    = "child_views_shared"
	MeasurePhoneOnly           = "phone_only"
	MeasureReadyAtStart        = "ready_at_start"
	MeasurePostponedByChair    = "postponed_by_chair"
	NeedsPrefix                = "needs."
)

// Count is one measure's numerator over its denominator.
type Count struct {
	Numerator   int64 `json:"n"`
	Denominator int64 `json:"d"`
}

// IsZero reports whether the count adds nothing.
func (c Count) IsZero() bool { return c.Numerator == 0 && c.Denominator == 0 }

// Tally holds counts by measure name. A conference's tally is what it adds
// to its organisation's insights; tallies of many conferences add up.
type Tally map[string]Count

// Add adds sign times o into t (sign is 1 or -1) and drops counts that
// become zero, so that equal tallies compare equal.
func (t Tally) Add(o Tally, sign int64) {
	for k, c := range o {
		s := t[k]
		s.Numerator += sign * c.Numerator
		s.Denominator += sign * c.Denominator
		if s.IsZero() {
			delete(t, k)
		} else {
			t[k] = s
		}
	}
}

// Clone returns a copy of t.
func (t Tally) Clone() Tally {
	out := make(Tally, len(t))
	out.Add(t, 1)
	return out
}

// NeedsOnly returns the counts of t that concern needs.
func (t Tally) NeedsOnly() Tally {
	out := Tally{}
	for k, c := range t {
		if strings.HasPrefix(k, NeedsPrefix) {
			out[k] = c
		}
	}
	return out
}

// WithoutNeeds returns the counts of t that do not concern needs.
func (t Tally) WithoutNeeds() Tally {
	out := Tally{}
	for k, c := range t {
		if !strings.HasPrefix(k, NeedsPrefix) {
			out[k] = c
		}
	}
	return out
}

// Keys returns t's measure names in order.
func (t Tally) Keys() []string {
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Bit is a count of one over one when yes, else zero over one.
func Bit(yes bool) Count {
	if yes {
		return Count{1, 1}
	}
	return Count{0, 1}
}
