-- +goose Up
-- What each conference adds to its organisation's insights, and what is
-- recorded about it once: whether a chair postponed it, and its readiness
-- when it began. insight_tallies sums them by organisation, day and
-- measure, so that an insights read is a few thousand rows at most.
ALTER TABLE conferences ADD COLUMN insight_measures TEXT;
ALTER TABLE conferences ADD COLUMN postponed_by_chair BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE conferences ADD COLUMN start_status TEXT CHECK (start_status IN ('ready', 'not_ready'));
ALTER TABLE conferences ADD COLUMN start_needs TEXT;
UPDATE conferences SET postponed_by_chair = true
WHERE EXISTS (SELECT 1 FROM readiness_checks k WHERE k.conference_id = conferences.id AND k.decision = 'postpone');
-- Conferences whose start is still to be recorded; the index empties as
-- starts pass.
CREATE INDEX conferences_awaiting_start ON conferences (org, scheduled_start) WHERE start_status IS NULL;

CREATE TABLE insight_tallies (
    org         TEXT NOT NULL,
    day         TEXT NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    measure     TEXT NOT NULL,
    numerator   BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    PRIMARY KEY (org, day, measure)
);

-- Forgetting the fingerprint makes the next start evaluate every
-- conference again, which fills insight_measures and builds the tallies.
DELETE FROM service_state WHERE key = 'calendar';

-- +goose Down
DROP TABLE insight_tallies;
DROP INDEX conferences_awaiting_start;
ALTER TABLE conferences DROP COLUMN start_needs;
ALTER TABLE conferences DROP COLUMN start_status;
ALTER TABLE conferences DROP COLUMN postponed_by_chair;
ALTER TABLE conferences DROP COLUMN insight_measures;
