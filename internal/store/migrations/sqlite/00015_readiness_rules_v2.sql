-- +goose NO TRANSACTION
-- +goose Up
-- Readiness rules v2. SQLite cannot change a CHECK constraint in place, so
-- conferences (a new type), children (views not applicable) and needs (the
-- interpreter need becomes language) are rebuilt, with foreign keys off so
-- that dropping the old tables cascades nowhere. New columns are added to
-- the old tables first and conferences and children are copied with
-- SELECT *, so a column this migration does not know of fails it loudly
-- instead of being dropped.
PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE conferences ADD COLUMN expected_delivery_on TEXT CHECK (date(expected_delivery_on) IS expected_delivery_on);
ALTER TABLE conferences ADD COLUMN transfer_notice_on TEXT CHECK (date(transfer_notice_on) IS transfer_notice_on);
CREATE TABLE conferences_v2 (
    id                       TEXT PRIMARY KEY,
    org                      TEXT NOT NULL,
    external_ref             TEXT NOT NULL,
    type                     TEXT NOT NULL CHECK (type IN ('initial', 'review', 'pre_birth', 'transfer_in')),
    scheduled_start          DATETIME NOT NULL,
    format                   TEXT NOT NULL CHECK (format IN ('in_person', 'video', 'phone', 'hybrid')),
    status                   TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'postponed', 'cancelled')),
    strategy_discussion_on   TEXT CHECK (date(strategy_discussion_on) IS strategy_discussion_on),
    previous_conference_on   TEXT CHECK (date(previous_conference_on) IS previous_conference_on),
    previous_conference_type TEXT CHECK (previous_conference_type IN ('initial', 'review')),
    chair_ref                TEXT,
    chair_name               TEXT,
    social_worker_ref        TEXT,
    social_worker_name       TEXT,
    version                  INTEGER NOT NULL CHECK (version > 0),
    readiness_status         TEXT NOT NULL CHECK (readiness_status IN ('ready', 'not_ready')),
    readiness_blockers       INTEGER NOT NULL,
    readiness_advisories     INTEGER NOT NULL,
    readiness_due_on         TEXT CHECK (date(readiness_due_on) IS readiness_due_on),
    purged_at                DATETIME,
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL,
    readiness_findings       TEXT,
    expected_delivery_on     TEXT CHECK (date(expected_delivery_on) IS expected_delivery_on),
    transfer_notice_on       TEXT CHECK (date(transfer_notice_on) IS transfer_notice_on),
    UNIQUE (org, external_ref)
);
INSERT INTO conferences_v2 SELECT * FROM conferences;
DROP TABLE conferences;
ALTER TABLE conferences_v2 RENAME TO conferences;
CREATE INDEX conferences_by_start ON conferences (org, scheduled_start, id);
CREATE INDEX conferences_by_readiness ON conferences (org, readiness_status, scheduled_start, id);

ALTER TABLE children ADD COLUMN unborn BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE children ADD COLUMN views_reason TEXT;
CREATE TABLE children_v2 (
    conference_id     TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    ref               TEXT NOT NULL,
    name              TEXT,
    views_means       TEXT CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker', 'not_applicable')),
    views_recorded_on TEXT CHECK (date(views_recorded_on) IS views_recorded_on),
    views_shared_on   TEXT CHECK (date(views_shared_on) IS views_shared_on),
    unborn            BOOLEAN NOT NULL DEFAULT FALSE,
    views_reason      TEXT,
    PRIMARY KEY (conference_id, ref)
);
INSERT INTO children_v2 SELECT * FROM children;
DROP TABLE children;
ALTER TABLE children_v2 RENAME TO children;

-- The interpreter need is renamed language; who interprets is new.
ALTER TABLE needs ADD COLUMN interpreter TEXT CHECK (interpreter IN ('professional', 'family_member'));
CREATE TABLE needs_v2 (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('technology', 'childcare', 'language', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility')),
    status         TEXT NOT NULL CHECK (status IN ('identified', 'arranged', 'not_needed')),
    detail         TEXT,
    language       TEXT,
    interpreter    TEXT CHECK (interpreter IN ('professional', 'family_member')),
    PRIMARY KEY (participant_id, kind)
);
INSERT INTO needs_v2 (participant_id, kind, status, detail, language, interpreter)
    SELECT participant_id, CASE kind WHEN 'interpreter' THEN 'language' ELSE kind END, status, detail, language, interpreter FROM needs;
DROP TABLE needs;
ALTER TABLE needs_v2 RENAME TO needs;

ALTER TABLE participants ADD COLUMN parental_responsibility BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE participants ADD COLUMN informed_on TEXT CHECK (date(informed_on) IS informed_on);
ALTER TABLE participants ADD COLUMN advocacy_offered_on TEXT CHECK (date(advocacy_offered_on) IS advocacy_offered_on);

ALTER TABLE reports ADD COLUMN shared_with_chair_on TEXT CHECK (date(shared_with_chair_on) IS shared_with_chair_on);

-- Reports shared so far went out in writing.
ALTER TABLE report_shares ADD COLUMN format TEXT CHECK (format IN ('written', 'spoken', 'easy_read', 'other'));
ALTER TABLE report_shares ADD COLUMN format_note TEXT;
UPDATE report_shares SET format = 'written' WHERE NOT withheld;

CREATE TABLE professionals (
    id              TEXT PRIMARY KEY,
    conference_id   TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    agency          TEXT NOT NULL CHECK (agency IN ('social_care', 'police', 'health', 'education', 'probation', 'other')),
    role            TEXT,
    name            TEXT NOT NULL,
    attendance      TEXT NOT NULL CHECK (attendance IN ('invited', 'confirmed', 'declined')),
    report_expected BOOLEAN NOT NULL
);
CREATE INDEX professionals_by_conference ON professionals (conference_id, position);

-- Existing policies take the defaults; reports reach the chair when they
-- reach the family, as they did before.
ALTER TABLE policies ADD COLUMN chair_report_days_initial INTEGER NOT NULL DEFAULT 3;
ALTER TABLE policies ADD COLUMN chair_report_days_review INTEGER NOT NULL DEFAULT 5;
ALTER TABLE policies ADD COLUMN chair_report_days_pre_birth INTEGER NOT NULL DEFAULT 3;
ALTER TABLE policies ADD COLUMN quorum_other_agencies INTEGER NOT NULL DEFAULT 2;
ALTER TABLE policies ADD COLUMN pre_birth_latest_week INTEGER NOT NULL DEFAULT 28;
ALTER TABLE policies ADD COLUMN transfer_in_days INTEGER NOT NULL DEFAULT 15;
UPDATE policies SET chair_report_days_initial = report_days_initial, chair_report_days_review = report_days_review,
    chair_report_days_pre_birth = report_days_pre_birth;

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
-- Fails while any conference is transfer-in or any child's views are not
-- applicable: the old schema cannot hold them.
PRAGMA foreign_keys = OFF;
BEGIN;

ALTER TABLE policies DROP COLUMN transfer_in_days;
ALTER TABLE policies DROP COLUMN pre_birth_latest_week;
ALTER TABLE policies DROP COLUMN quorum_other_agencies;
ALTER TABLE policies DROP COLUMN chair_report_days_pre_birth;
ALTER TABLE policies DROP COLUMN chair_report_days_review;
ALTER TABLE policies DROP COLUMN chair_report_days_initial;
DROP TABLE professionals;
ALTER TABLE report_shares DROP COLUMN format_note;
ALTER TABLE report_shares DROP COLUMN format;
ALTER TABLE reports DROP COLUMN shared_with_chair_on;
ALTER TABLE participants DROP COLUMN advocacy_offered_on;
ALTER TABLE participants DROP COLUMN informed_on;
ALTER TABLE participants DROP COLUMN parental_responsibility;

CREATE TABLE needs_v1 (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('technology', 'childcare', 'interpreter', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility')),
    status         TEXT NOT NULL CHECK (status IN ('identified', 'arranged', 'not_needed')),
    detail         TEXT,
    language       TEXT,
    PRIMARY KEY (participant_id, kind)
);
INSERT INTO needs_v1 SELECT participant_id, CASE kind WHEN 'language' THEN 'interpreter' ELSE kind END, status, detail, language FROM needs;
DROP TABLE needs;
ALTER TABLE needs_v1 RENAME TO needs;

CREATE TABLE children_v1 (
    conference_id     TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    ref               TEXT NOT NULL,
    name              TEXT,
    views_means       TEXT CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker')),
    views_recorded_on TEXT CHECK (date(views_recorded_on) IS views_recorded_on),
    views_shared_on   TEXT CHECK (date(views_shared_on) IS views_shared_on),
    PRIMARY KEY (conference_id, ref)
);
INSERT INTO children_v1 SELECT conference_id, position, ref, name, views_means, views_recorded_on, views_shared_on FROM children;
DROP TABLE children;
ALTER TABLE children_v1 RENAME TO children;

CREATE TABLE conferences_v1 (
    id                       TEXT PRIMARY KEY,
    org                      TEXT NOT NULL,
    external_ref             TEXT NOT NULL,
    type                     TEXT NOT NULL CHECK (type IN ('initial', 'review', 'pre_birth')),
    scheduled_start          DATETIME NOT NULL,
    format                   TEXT NOT NULL CHECK (format IN ('in_person', 'video', 'phone', 'hybrid')),
    status                   TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'postponed', 'cancelled')),
    strategy_discussion_on   TEXT CHECK (date(strategy_discussion_on) IS strategy_discussion_on),
    previous_conference_on   TEXT CHECK (date(previous_conference_on) IS previous_conference_on),
    previous_conference_type TEXT CHECK (previous_conference_type IN ('initial', 'review')),
    chair_ref                TEXT,
    chair_name               TEXT,
    social_worker_ref        TEXT,
    social_worker_name       TEXT,
    version                  INTEGER NOT NULL CHECK (version > 0),
    readiness_status         TEXT NOT NULL CHECK (readiness_status IN ('ready', 'not_ready')),
    readiness_blockers       INTEGER NOT NULL,
    readiness_advisories     INTEGER NOT NULL,
    readiness_due_on         TEXT CHECK (date(readiness_due_on) IS readiness_due_on),
    purged_at                DATETIME,
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL,
    readiness_findings       TEXT,
    UNIQUE (org, external_ref)
);
INSERT INTO conferences_v1 SELECT id, org, external_ref, type, scheduled_start, format, status, strategy_discussion_on,
    previous_conference_on, previous_conference_type, chair_ref, chair_name, social_worker_ref, social_worker_name,
    version, readiness_status, readiness_blockers, readiness_advisories, readiness_due_on, purged_at, created_at,
    updated_at, readiness_findings FROM conferences;
DROP TABLE conferences;
ALTER TABLE conferences_v1 RENAME TO conferences;
CREATE INDEX conferences_by_start ON conferences (org, scheduled_start, id);
CREATE INDEX conferences_by_readiness ON conferences (org, readiness_status, scheduled_start, id);

COMMIT;
PRAGMA foreign_keys = ON;
