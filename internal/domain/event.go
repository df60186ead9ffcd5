package domain

import (
	"encoding/json"
	"slices"
	"time"
)

// Event types, as a case system sees them on the feed and on webhooks.
const (
	EventConferenceCreated          = "conference.created"
	EventConferenceUpdated          = "conference.updated"
	EventConferenceReadinessChanged = "conference.readiness_changed"
	EventConferenceItemOverdue      = "conference.item_overdue"
	EventReadinessCheckRecorded     = "readiness_check.recorded"
)

// EventTypes lists every event type, in the order the docs give them.
var EventTypes = []string{
	EventConferenceCreated, EventConferenceUpdated, EventConferenceReadinessChanged,
	EventConferenceItemOverdue, EventReadinessCheckRecorded,
}

// IsEventType reports whether t is a known event type.
func IsEventType(t string) bool {
	for _, known := range EventTypes {
		if t == known {
			return true
		}
	}
	return false
}

// Event is something that happened to a conference, written in the same
// transaction as the change. It carries ids, codes, dates and counts only:
// never a name or free text, so that it can leave the service. Sequence
// increases by one with each event of the organisation.
type Event struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Organisation string          `json:"organisation"`
	Sequence     int64           `json:"sequence"`
	ConferenceID string          `json:"conference_id"`
	ExternalRef  string          `json:"external_ref"`
	Timestamp    time.Time       `json:"timestamp"`
	Data         json.RawMessage `json:"data"`
}

// ReadinessCounts is a readiness verdict without its reasons.
type ReadinessCounts struct {
	Status     string   `json:"status"`
	Blockers   int      `json:"blockers"`
	Advisories int      `json:"advisories"`
	Codes      []string `json:"codes"`
}

// ConferenceCreatedData is the data of conference.created.
type ConferenceCreatedData struct {
	Version      int             `json:"version"`
	Status       string          `json:"status"`
	Participants int             `json:"participants"`
	Reports      int             `json:"reports"`
	Readiness    ReadinessCounts `json:"readiness"`
}

// ConferenceUpdatedData is the data of conference.updated: which part of
// the conference changed, and how.
type ConferenceUpdatedData struct {
	Version int    `json:"version"`
	Status  string `json:"status"`
	Entity  string `json:"entity"`
	Action  string `json:"action"`
}

// ReadinessChangedData is the data of conference.readiness_changed.
type ReadinessChangedData struct {
	Version       int      `json:"version"`
	OldStatus     string   `json:"old_status"`
	NewStatus     string   `json:"new_status"`
	Blockers      int      `json:"blockers"`
	Advisories    int      `json:"advisories"`
	CodesAppeared []string `json:"codes_appeared"`
	CodesCleared  []string `json:"codes_cleared"`
}

// ItemOverdueData is the data of conference.item_overdue: the finding that
// passed its due date, named by its code and the ids it is about.
type ItemOverdueData struct {
	Code          string `json:"code"`
	DueOn         Date   `json:"due_on"`
	ParticipantID string `json:"participant_id,omitempty"`
	ReportID      string `json:"report_id,omitempty"`
	ChildRef      string `json:"child_ref,omitempty"`
	Kind          string `json:"kind,omitempty"`
}

// CheckRecordedData is the data of readiness_check.recorded.
type CheckRecordedData struct {
	CheckID    string `json:"check_id"`
	Decision   string `json:"decision"`
	Status     string `json:"readiness_status"`
	Blockers   int    `json:"blockers"`
	Advisories int    `json:"advisories"`
}

// FindingCodes returns the distinct codes among findings, sorted.
func FindingCodes(fs []Finding) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			out = append(out, f.Code)
		}
	}
	slices.Sort(out)
	return out
}

// PendingEvent is an event worked out from a change, before the store
// gives it its sequence and time, in the transaction of the change.
type PendingEvent struct {
	ID         string // the store makes one up when empty
	Type       string
	Conference *Conference
	Data       any
}

// CreatedEvent announces a new conference.
func CreatedEvent(c *Conference) PendingEvent {
	return PendingEvent{Type: EventConferenceCreated, Conference: c, Data: ConferenceCreatedData{
		Version: c.Version, Status: string(c.Status), Participants: len(c.Participants), Reports: len(c.Reports),
		Readiness: countsOf(c.Readiness),
	}}
}

// UpdateEvents announces change ch to c and, when its readiness moved from
// prior, the move.
func UpdateEvents(prior ReadinessSummary, c *Conference, ch Change) []PendingEvent {
	out := []PendingEvent{{Type: EventConferenceUpdated, Conference: c, Data: ConferenceUpdatedData{
		Version: c.Version, Status: string(c.Status), Entity: ch.Entity, Action: ch.Action,
	}}}
	if e, ok := ReadinessChangedEvent(prior, c); ok {
		out = append(out, e)
	}
	return out
}

// ReadinessChangedEvent compares c's readiness with prior: it has moved
// when its status changed or a finding's code appeared or cleared.
func ReadinessChangedEvent(prior ReadinessSummary, c *Conference) (PendingEvent, bool) {
	was, now := FindingCodes(prior.Findings), FindingCodes(c.Readiness.Findings)
	appeared, cleared := notIn(now, was), notIn(was, now)
	if prior.Status == c.Readiness.Status && len(appeared) == 0 && len(cleared) == 0 {
		return PendingEvent{}, false
	}
	return PendingEvent{Type: EventConferenceReadinessChanged, Conference: c, Data: ReadinessChangedData{
		Version: c.Version, OldStatus: prior.Status, NewStatus: c.Readiness.Status,
		Blockers: c.Readiness.Blockers, Advisories: c.Readiness.Advisories,
		CodesAppeared: appeared, CodesCleared: cleared,
	}}, true
}

// CheckRecordedEvent announces a chair's check of c.
func CheckRecordedEvent(c *Conference, chk ReadinessCheck) PendingEvent {
	return PendingEvent{Type: EventReadinessCheckRecorded, Conference: c, Data: CheckRecordedData{
		CheckID: chk.ID, Decision: chk.Decision, Status: chk.Readiness.Status,
		Blockers: chk.Readiness.Blockers, Advisories: chk.Readiness.Advisories,
	}}
}

// ItemOverdueEvent announces that f, a blocker of c with a due date,
// passed it; id is the event's, kept with the notice that it was announced.
func ItemOverdueEvent(id string, c *Conference, f Finding) PendingEvent {
	return PendingEvent{ID: id, Type: EventConferenceItemOverdue, Conference: c, Data: ItemOverdueData{
		Code: f.Code, DueOn: *f.DueOn, ParticipantID: f.ParticipantID, ReportID: f.ReportID, ChildRef: f.ChildRef, Kind: f.Kind,
	}}
}

func countsOf(s ReadinessSummary) ReadinessCounts {
	return ReadinessCounts{Status: s.Status, Blockers: s.Blockers, Advisories: s.Advisories, Codes: FindingCodes(s.Findings)}
}

// notIn returns the members of a not in b; both are sorted.
func notIn(a, b []string) []string {
	out := []string{}
	for _, s := range a {
		if _, found := slices.BinarySearch(b, s); !found {
			out = append(out, s)
		}
	}
	return out
}
