-- +goose Up
-- The findings of the last evaluation, as JSON, so that a readiness read is
-- one row. Forgetting the calendar fingerprint makes the next start
-- evaluate every conference again, which fills the column in.
ALTER TABLE conferences ADD COLUMN readiness_findings TEXT;
DELETE FROM service_state WHERE key = 'calendar';

-- +goose Down
ALTER TABLE conferences DROP COLUMN readiness_findings;
