-- +goose Up
-- Readiness rules v2: a transfer-in conference type, unborn children and
-- views not applicable, the interpreter need renamed language, who is
-- owed the reports, reports to the chair, and the agencies' professionals.
ALTER TABLE conferences DROP CONSTRAINT conferences_type_check;
ALTER TABLE conferences ADD CONSTRAINT conferences_type_check CHECK (type IN ('initial', 'review', 'pre_birth', 'transfer_in'));
ALTER TABLE conferences ADD COLUMN expected_delivery_on TEXT CHECK (expected_delivery_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
ALTER TABLE conferences ADD COLUMN transfer_notice_on TEXT CHECK (transfer_notice_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

ALTER TABLE children DROP CONSTRAINT children_views_means_check;
ALTER TABLE children ADD CONSTRAINT children_views_means_check CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker', 'not_applicable'));
ALTER TABLE children ADD COLUMN unborn BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE children ADD COLUMN views_reason TEXT;

ALTER TABLE needs DROP CONSTRAINT needs_kind_check;
UPDATE needs SET kind = 'language' WHERE kind = 'interpreter';
ALTER TABLE needs ADD CONSTRAINT needs_kind_check CHECK (kind IN ('technology', 'childcare', 'language', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility'));
ALTER TABLE needs ADD COLUMN interpreter TEXT CHECK (interpreter IN ('professional', 'family_member'));

ALTER TABLE participants ADD COLUMN parental_responsibility BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE participants ADD COLUMN informed_on TEXT CHECK (informed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');
ALTER TABLE participants ADD COLUMN advocacy_offered_on TEXT CHECK (advocacy_offered_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

ALTER TABLE reports ADD COLUMN shared_with_chair_on TEXT CHECK (shared_with_chair_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

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

-- +goose Down
-- Fails while any conference is transfer-in or any child's views are not
-- applicable: the old schema cannot hold them.
ALTER TABLE policies DROP COLUMN transfer_in_days, DROP COLUMN pre_birth_latest_week, DROP COLUMN quorum_other_agencies,
    DROP COLUMN chair_report_days_pre_birth, DROP COLUMN chair_report_days_review, DROP COLUMN chair_report_days_initial;
DROP TABLE professionals;
ALTER TABLE report_shares DROP COLUMN format_note, DROP COLUMN format;
ALTER TABLE reports DROP COLUMN shared_with_chair_on;
ALTER TABLE participants DROP COLUMN advocacy_offered_on, DROP COLUMN informed_on, DROP COLUMN parental_responsibility;
ALTER TABLE needs DROP COLUMN interpreter;
ALTER TABLE needs DROP CONSTRAINT needs_kind_check;
UPDATE needs SET kind = 'interpreter' WHERE kind = 'language';
ALTER TABLE needs ADD CONSTRAINT needs_kind_check CHECK (kind IN ('technology', 'childcare', 'interpreter', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility'));
ALTER TABLE children DROP COLUMN views_reason, DROP COLUMN unborn;
ALTER TABLE children DROP CONSTRAINT children_views_means_check;
ALTER TABLE children ADD CONSTRAINT children_views_means_check CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker'));
ALTER TABLE conferences DROP COLUMN transfer_notice_on, DROP COLUMN expected_delivery_on;
ALTER TABLE conferences DROP CONSTRAINT conferences_type_check;
ALTER TABLE conferences ADD CONSTRAINT conferences_type_check CHECK (type IN ('initial', 'review', 'pre_birth'));
