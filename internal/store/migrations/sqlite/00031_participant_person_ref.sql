-- +goose Up
-- The case system's own id for a family member, unique within a conference,
-- so that a one-call create can name participants before they have ids.
ALTER TABLE participants ADD COLUMN person_ref TEXT;
CREATE UNIQUE INDEX participants_by_person_ref ON participants (conference_id, person_ref) WHERE person_ref IS NOT NULL;

-- +goose Down
DROP INDEX participants_by_person_ref;
ALTER TABLE participants DROP COLUMN person_ref;
