-- +goose Up
-- The outbox: each write appends its events in its own transaction, with a
-- sequence per organisation taken from event_counters. The counter row is
-- updated last in the transaction, so sequences commit in order and a
-- reader paging by sequence never skips one that commits late.
CREATE TABLE event_counters (
    org           TEXT PRIMARY KEY,
    last_sequence INTEGER NOT NULL
);

CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    org           TEXT NOT NULL,
    sequence      INTEGER NOT NULL,
    type          TEXT NOT NULL,
    conference_id TEXT NOT NULL,
    external_ref  TEXT NOT NULL,
    occurred_at   DATETIME NOT NULL,
    data          TEXT NOT NULL,
    UNIQUE (org, sequence)
);
CREATE INDEX events_by_time ON events (occurred_at);

-- One row per overdue finding already announced: the key that makes the
-- overdue scheduler emit each finding once, whichever instance runs it.
CREATE TABLE overdue_notices (
    conference_id TEXT NOT NULL,
    finding       TEXT NOT NULL,
    due_on        TEXT NOT NULL CHECK (date(due_on) IS due_on),
    event_id      TEXT NOT NULL,
    PRIMARY KEY (conference_id, finding, due_on)
);

CREATE TABLE webhooks (
    id                TEXT PRIMARY KEY,
    org               TEXT NOT NULL,
    url               TEXT NOT NULL,
    event_types       TEXT NOT NULL,
    secret            TEXT NOT NULL,
    enabled           BOOLEAN NOT NULL,
    disabled_reason   TEXT,
    disabled_at       DATETIME,
    consecutive_dead  INTEGER NOT NULL,
    last_sequence     INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX webhooks_by_org ON webhooks (org, created_at, id);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    sequence        INTEGER NOT NULL,
    conference_id   TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL,
    round_attempts  INTEGER NOT NULL,
    next_attempt_at DATETIME,
    lease_until     DATETIME,
    created_at      DATETIME NOT NULL,
    delivered_at    DATETIME,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_in_order ON webhook_deliveries (webhook_id, conference_id, sequence);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, sequence);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    attempted_at DATETIME NOT NULL,
    outcome      TEXT NOT NULL,
    status_code  INTEGER,
    duration_ms  INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, number)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE overdue_notices;
DROP TABLE events;
DROP TABLE event_counters;
