-- +goose Up
-- Who acted is a principal of a kind (key, token, system): ids are unique
-- only within their kind. The stored request_id is the server's own; an
-- id a client sent is kept beside it, since clients can reuse theirs.
ALTER TABLE audit_events ADD COLUMN actor_kind TEXT;
ALTER TABLE audit_events ADD COLUMN client_request_id TEXT;

-- A list read is one event; the conferences it listed are found through
-- this table, so that each one's history still shows the read.
CREATE TABLE audit_listed (
    conference_id TEXT NOT NULL,
    event_id      INTEGER NOT NULL,
    PRIMARY KEY (conference_id, event_id)
) WITHOUT ROWID;

-- Events outside any conference (policy changes, list reads), by kind.
CREATE INDEX audit_events_outside_conferences ON audit_events (org, entity, id) WHERE conference_id IS NULL;

-- Audit retention: the trail stays append-only, except that a transaction
-- that first records here how far retention reaches may delete events up to
-- that id. The retention purge inserts the row, deletes, and removes the
-- row before it commits, so no other transaction ever sees it.
CREATE TABLE audit_retention (
    through_id INTEGER NOT NULL
);

DROP TRIGGER audit_events_no_delete;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_retention WHERE OLD.id <= through_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_listed_no_update BEFORE UPDATE ON audit_listed
BEGIN
    SELECT RAISE(ABORT, 'audit_listed is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_listed_no_delete BEFORE DELETE ON audit_listed
WHEN NOT EXISTS (SELECT 1 FROM audit_retention WHERE OLD.event_id <= through_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_listed is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_listed_no_delete;
DROP TRIGGER audit_listed_no_update;
DROP TRIGGER audit_events_no_delete;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
DROP TABLE audit_retention;
DROP INDEX audit_events_outside_conferences;
DROP TABLE audit_listed;
ALTER TABLE audit_events DROP COLUMN client_request_id;
ALTER TABLE audit_events DROP COLUMN actor_kind;
