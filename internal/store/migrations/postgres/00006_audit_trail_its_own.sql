-- +goose Up
-- Who acted is a principal of a kind (key, token, system): ids are unique
-- only within their kind. The stored request_id is the server's own; an
-- id a client sent is kept beside it, since clients can reuse theirs.
ALTER TABLE audit_events ADD COLUMN actor_kind TEXT, ADD COLUMN client_request_id TEXT;

-- A list read is one event; the conferences it listed are found through
-- this table, so that each one's history still shows the read.
CREATE TABLE audit_listed (
    conference_id TEXT NOT NULL,
    event_id      BIGINT NOT NULL,
    PRIMARY KEY (conference_id, event_id)
);

-- Events outside any conference (policy changes, list reads), by kind.
CREATE INDEX audit_events_outside_conferences ON audit_events (org, entity, id) WHERE conference_id IS NULL;

-- Audit retention: the trail stays append-only, except that a transaction
-- that first records here how far retention reaches may delete events up to
-- that id. The retention purge inserts the row, deletes, and removes the
-- row before it commits, so no other transaction ever sees it.
CREATE TABLE audit_retention (
    through_id BIGINT NOT NULL
);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_retention WHERE OLD.id <= through_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION audit_listed_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_retention WHERE OLD.event_id <= through_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_listed is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_listed_no_change BEFORE UPDATE OR DELETE ON audit_listed
    FOR EACH ROW EXECUTE FUNCTION audit_listed_append_only();
CREATE TRIGGER audit_listed_no_truncate BEFORE TRUNCATE ON audit_listed
    FOR EACH STATEMENT EXECUTE FUNCTION audit_listed_append_only();

-- +goose Down
DROP TABLE audit_listed;
DROP FUNCTION audit_listed_append_only;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
-- +goose StatementEnd
DROP TABLE audit_retention;
DROP INDEX audit_events_outside_conferences;
ALTER TABLE audit_events DROP COLUMN client_request_id, DROP COLUMN actor_kind;
