package store

import (
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
	rows, err := children.of(t, slices.Collect(maps.Keys(index)))
	for _, r := range rows {
		c := index[r.ConferenceID]
		c.Children = append(c.Children, fromChildRow(r))
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
	if err := loadChildren(t, confs); err != nil {
		return nil, err
	}
	prows, err := participants.of(t, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range prows {
		c := byConf[r.ConferenceID]
		c.Participants = append(c.Participants, fromParticipantRow(r))
	}
	rrows, err := reports.of(t, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range rrows {
		c := byConf[r.ConferenceID]
		c.Reports = append(c.Reports, fromReportRow(r))
	}
	profs, err := professionals.of(t, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range profs {
		c := byConf[r.ConferenceID]
		c.Professionals = append(c.Professionals, fromProfessionalRow(r))
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
	nrows, err := needs.of(t, pids)
	if err != nil {
		return nil, err
	}
	for _, n := range nrows {
		p := byParticipant[n.ParticipantID]
		p.Needs = append(p.Needs, fromNeedRow(n))
	}
	for _, p := range byParticipant {
		sortNeeds(p.Needs)
	}
	krows, err := contacts.of(t, pids)
	if err != nil {
		return nil, err
	}
	for _, k := range krows {
		p := byParticipant[k.ParticipantID]
		p.Contacts = append(p.Contacts, fromContactRow(k))
	}
	srows, err := shares.of(t, slices.Collect(maps.Keys(byReport)))
	if err != nil {
		return nil, err
	}
	for _, s := range srows {
		r := byReport[s.ReportID]
		r.Shares = append(r.Shares, fromShareRow(s))
	}
	return confs, nil
}

// sortNeeds orders needs as domain.NeedKinds lists them, so that the
// aggregate reads the same on every database.
func sortNeeds(needs []domain.Need) {
	slices.SortStableFunc(needs, func(a, b domain.Need) int {
		return slices.Index(domain.NeedKinds, a.Kind) - slices.Index(domain.NeedKinds, b.Kind)
	})
}
