-- +goose Up
-- An idempotency record belongs to one principal in one organisation: a
-- token's subject is chosen by the identity provider and may repeat in
-- another organisation, or equal an API key's id. Records of keys move
-- across; records of tokens, whose organisation was not kept, are dropped
-- (a retry after the upgrade runs afresh).
CREATE TABLE idempotency_records (
    org            TEXT NOT NULL,
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('key', 'token', 'system')),
    principal_id   TEXT NOT NULL,
    key            TEXT NOT NULL,
    request_hash   TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
    status_code    INTEGER,
    body           BLOB,
    location       TEXT,
    etag           TEXT,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (org, principal_kind, principal_id, key)
);
INSERT INTO idempotency_records
SELECT k.org, 'key', i.principal_id, i.key, i.request_hash, i.state, i.status_code, i.body, i.location, i.etag, i.created_at
FROM idempotency_keys i JOIN api_keys k ON k.id = i.principal_id;
DROP TABLE idempotency_keys;

-- +goose Down
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
INSERT INTO idempotency_keys
SELECT principal_id, key, request_hash, state, status_code, body, location, etag, created_at
FROM idempotency_records WHERE principal_kind = 'key';
DROP TABLE idempotency_records;
