-- +goose Up
-- readiness_rules names the rules and calendar a conference's stored
-- readiness was evaluated under: a hash of readiness.Fingerprint, or 0 when
-- not known. Rows stored before it was kept were evaluated under the
-- fingerprint service_state records, and are treated as current until that
-- changes. A constant default adds the column without rewriting the table.
ALTER TABLE conferences ADD COLUMN readiness_rules BIGINT NOT NULL DEFAULT 0;

-- The re-evaluation that follows a change of rules or calendar, one row
-- for each fingerprint changed to. Conferences dated from near_from to
-- near_until are evaluated before serve listens (near_done_at); the rest
-- in the background in id order, after_id being the last one done, so that
-- a restart resumes where the last instance stopped.
CREATE TABLE readiness_passes (
    fingerprint  TEXT PRIMARY KEY,
    began_at     TIMESTAMPTZ NOT NULL,
    near_from    TIMESTAMPTZ NOT NULL,
    near_until   TIMESTAMPTZ NOT NULL,
    near_done_at TIMESTAMPTZ,
    after_id     TEXT NOT NULL,
    visited      BIGINT NOT NULL,
    evaluated    BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    finished_at  TIMESTAMPTZ
);

-- +goose Down
DROP TABLE readiness_passes;
ALTER TABLE conferences DROP COLUMN readiness_rules;
