-- +goose Up
-- Dates of events are TEXT 'YYYY-MM-DD' in both dialects so they compare the
-- same way; instants are stored in UTC.
CREATE TABLE conferences (
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
    UNIQUE (org, external_ref)
);
CREATE INDEX conferences_by_start ON conferences (org, scheduled_start, id);
CREATE INDEX conferences_by_readiness ON conferences (org, readiness_status, scheduled_start, id);
CREATE INDEX conferences_by_due ON conferences (org, readiness_due_on);

CREATE TABLE children (
    conference_id     TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    ref               TEXT NOT NULL,
    name              TEXT,
    views_means       TEXT CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker')),
    views_recorded_on TEXT CHECK (date(views_recorded_on) IS views_recorded_on),
    views_shared_on   TEXT CHECK (date(views_shared_on) IS views_shared_on),
    PRIMARY KEY (conference_id, ref)
);

CREATE TABLE participants (
    id                      TEXT PRIMARY KEY,
    conference_id           TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position                INTEGER NOT NULL,
    display_name            TEXT NOT NULL,
    relationship            TEXT NOT NULL CHECK (relationship IN ('mother', 'father', 'parent', 'step_parent', 'carer', 'grandparent', 'sibling', 'young_person', 'other_family', 'family_friend')),
    invited                 BOOLEAN NOT NULL,
    attendance              TEXT NOT NULL CHECK (attendance IN ('unknown', 'in_person', 'video', 'phone', 'not_attending', 'excluded')),
    needs_assessed_on       TEXT CHECK (date(needs_assessed_on) IS needs_assessed_on),
    private_space_confirmed BOOLEAN NOT NULL,
    technology_checked      BOOLEAN NOT NULL,
    safety_concern          TEXT CHECK (safety_concern IN ('none', 'domestic_abuse', 'other')),
    safety_arrangement      TEXT CHECK (safety_arrangement IN ('separate_attendance', 'exclusion', 'none_needed')),
    safety_note             TEXT,
    exclusion_decided_on    TEXT CHECK (date(exclusion_decided_on) IS exclusion_decided_on),
    exclusion_grounds       TEXT
);
CREATE INDEX participants_by_conference ON participants (conference_id, position);

CREATE TABLE needs (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('technology', 'childcare', 'interpreter', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility')),
    status         TEXT NOT NULL CHECK (status IN ('identified', 'arranged', 'not_needed')),
    detail         TEXT,
    language       TEXT,
    PRIMARY KEY (participant_id, kind)
);

CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    with_role      TEXT NOT NULL CHECK (with_role IN ('social_worker', 'chair')),
    on_date        TEXT NOT NULL CHECK (date(on_date) IS on_date),
    method         TEXT NOT NULL CHECK (method IN ('in_person', 'phone', 'video'))
);
CREATE INDEX contacts_by_participant ON contacts (participant_id, position);

CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    agency        TEXT NOT NULL CHECK (agency IN ('social_care', 'police', 'health', 'education', 'probation', 'other')),
    title         TEXT NOT NULL,
    received_on   TEXT CHECK (date(received_on) IS received_on)
);
CREATE INDEX reports_by_conference ON reports (conference_id, position);

CREATE TABLE report_shares (
    id              TEXT PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    shared_on       TEXT CHECK (date(shared_on) IS shared_on),
    language        TEXT,
    withheld        BOOLEAN NOT NULL,
    reason          TEXT,
    chair_agreed_on TEXT CHECK (date(chair_agreed_on) IS chair_agreed_on)
);
CREATE INDEX report_shares_by_report ON report_shares (report_id, position);

CREATE TABLE readiness_checks (
    id            TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    decision      TEXT NOT NULL CHECK (decision IN ('proceed', 'postpone')),
    note          TEXT,
    checked_by    TEXT NOT NULL,
    checked_at    DATETIME NOT NULL,
    readiness     TEXT NOT NULL
);
CREATE INDEX readiness_checks_by_conference ON readiness_checks (conference_id, checked_at);

-- The audit trail is append-only: triggers refuse every update and delete.
CREATE TABLE audit_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at   DATETIME NOT NULL,
    actor_id      TEXT NOT NULL,
    actor_name    TEXT NOT NULL,
    actor_role    TEXT NOT NULL,
    org           TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'read')),
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    conference_id TEXT,
    request_id    TEXT NOT NULL,
    changes       TEXT
);
CREATE INDEX audit_events_by_conference ON audit_events (org, conference_id, id);
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
-- +goose StatementEnd

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    org        TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('case_system', 'social_worker', 'chair', 'manager', 'admin')),
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at DATETIME NOT NULL,
    revoked_at DATETIME
);

CREATE TABLE idempotency_keys (
    principal_id TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    status_code  INTEGER,
    body         BLOB,
    location     TEXT,
    etag         TEXT,
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (principal_id, key)
);

CREATE TABLE policies (
    org                    TEXT PRIMARY KEY,
    report_days_initial    INTEGER NOT NULL,
    report_days_review     INTEGER NOT NULL,
    report_days_pre_birth  INTEGER NOT NULL,
    icpc_working_days      INTEGER NOT NULL,
    first_review_months    INTEGER NOT NULL,
    review_interval_months INTEGER NOT NULL,
    phone_only_attendance  BOOLEAN NOT NULL,
    version                INTEGER NOT NULL,
    updated_at             DATETIME NOT NULL
);

-- +goose Down
DROP TABLE policies;
DROP TABLE idempotency_keys;
DROP TABLE api_keys;
DROP TABLE audit_events;
DROP TABLE readiness_checks;
DROP TABLE report_shares;
DROP TABLE reports;
DROP TABLE contacts;
DROP TABLE needs;
DROP TABLE participants;
DROP TABLE children;
DROP TABLE conferences;
