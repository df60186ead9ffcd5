package store

import (
	"errors"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

var (
	conferenceByID = newQuery("SELECT " + conferences.columns("") + " FROM conferences WHERE id = ? AND org = ?")
	// conferenceToWrite also locks the row until the transaction ends, on
	// PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the database.
	conferenceToWrite = newDialectQuery(conferenceByID.text[0], conferenceByID.text[0]+" FOR UPDATE")
)

var (
	conferencesByID = newListQuery("SELECT "+conferences.columns("")+" FROM conferences WHERE org = ? AND %s ORDER BY scheduled_start, id", "id")
	// conferencesToWrite locks them, as conferenceToWrite does one.
	conferencesToWrite = newDialectQuery(conferencesByID.text[0], conferencesByID.text[1]+" FOR UPDATE")
)

// conferenceRows reads conference rows of org by id, in order of start; in
// a write transaction they stay locked until it ends.
func conferenceRows(t *Tx, org string, ids []string) ([]conferenceRow, error) {
	q := conferencesByID
	if t.pool == writer {
		q = conferencesToWrite
	}
	return selectRows(t, (*conferenceRow).fields, q, org, t.db.list(ids))
}

// loadConference reads a conference of org and all its parts; another
// organisation's conference, or a malformed id, is simply not found. In a
// write transaction the conference stays locked until it ends.
func loadConference(t *Tx, org, id string) (*domain.Conference, error) {
	if uuid.Validate(id) != nil {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	q := conferenceByID
	if t.pool == writer {
		q = conferenceToWrite
	}
	rows, err := selectRows(t, (*conferenceRow).fields, q, id, org)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, domain.Errorf(domain.ENOTFOUND, "conference not found")
	}
	cs, err := loadAggregates(t, rows)
	if err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// loadChildren fills in the children of each conference, in one query.
func loadChildren(t *Tx, confs []domain.Conference) error {
	index := make(map[string]*domain.Conference, len(confs))
	for i := range confs {
		index[confs[i].ID] = &confs[i]
	}
	return fill(t, children, slices.Collect(maps.Keys(index)), func(r *childRow) {
		c := index[r.ConferenceID]
		c.Children = append(c.Children, fromChildRow(*r))
	})
}

// fill reads the rows of a part beneath the given parents, in one query,
// and hands each to add.
func fill[R any](t *Tx, p *part[R], parents []string, add func(*R)) error {
	rows, err := p.of(t, parents)
	for i := range rows {
		add(&rows[i])
	}
	return err
}

// loadAggregates reads the aggregates of many conference rows in a fixed
// number of queries, one per table, however many rows and parts there are.
func loadAggregates(t *Tx, rows []conferenceRow) ([]domain.Conference, error) {
	confs := make([]domain.Conference, len(rows))
	ids := make([]string, len(rows))
	byConf := make(map[string]*domain.Conference, len(rows))
	for i, r := range rows {
		var err error
		if confs[i], err = fromConferenceRow(r); err != nil {
			return nil, err
		}
		ids[i] = r.ID
		byConf[r.ID] = &confs[i]
	}
	if len(rows) == 0 {
		return confs, nil
	}
	err := errors.Join(
		loadChildren(t, confs),
		fill(t, participants, ids, func(r *participantRow) {
			c := byConf[r.ConferenceID]
			c.Participants = append(c.Participants, fromParticipantRow(*r))
		}),
		fill(t, reports, ids, func(r *reportRow) {
			c := byConf[r.ConferenceID]
			c.Reports = append(c.Reports, fromReportRow(*r))
		}),
		fill(t, professionals, ids, func(r *professionalRow) {
			c := byConf[r.ConferenceID]
			c.Professionals = append(c.Professionals, fromProfessionalRow(*r))
		}))
	if err != nil {
		return nil, err
	}
	// Index the parts only now: appending above may have moved them.
	byParticipant := map[string]*domain.Participant{}
	byReport := map[string]*domain.Report{}
	for i := range confs {
		for j := range confs[i].Participants {
			byParticipant[confs[i].Participants[j].ID] = &confs[i].Participants[j]
		}
		for j := range confs[i].Reports {
			byReport[confs[i].Reports[j].ID] = &confs[i].Reports[j]
		}
	}
	pids := slices.Collect(maps.Keys(byParticipant))
	err = errors.Join(
		fill(t, needs, pids, func(r *needRow) {
			p := byParticipant[r.ParticipantID]
			p.Needs = append(p.Needs, fromNeedRow(*r))
		}),
		fill(t, contacts, pids, func(r *contactRow) {
			p := byParticipant[r.ParticipantID]
			p.Contacts = append(p.Contacts, fromContactRow(*r))
		}),
		fill(t, shares, slices.Collect(maps.Keys(byReport)), func(r *shareRow) {
			rp := byReport[r.ReportID]
			rp.Shares = append(rp.Shares, fromShareRow(*r))
		}))
	for _, p := range byParticipant {
		sortNeeds(p.Needs)
	}
	return confs, err
}

// sortNeeds orders needs as domain.NeedKinds lists them, so that the
// aggregate reads the same on every database.
func sortNeeds(needs []domain.Need) {
	slices.SortStableFunc(needs, func(a, b domain.Need) int {
		return slices.Index(domain.NeedKinds, a.Kind) - slices.Index(domain.NeedKinds, b.Kind)
	})
}
