package store

import (
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

// loadConference reads a conference of org, parts and all; another
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
	c, err := fromConferenceRow(rows[0])
	return &c, err
}

// loadAggregates makes the conferences of rows read whole.
func loadAggregates(rows []conferenceRow) ([]domain.Conference, error) {
	confs := make([]domain.Conference, len(rows))
	for i, r := range rows {
		var err error
		if confs[i], err = fromConferenceRow(r); err != nil {
			return nil, err
		}
	}
	return confs, nil
}
