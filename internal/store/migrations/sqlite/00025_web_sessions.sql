-- +goose Up
-- Signed-in staff's web sessions, shared by every instance. The token is
-- stored hashed; expiry is in Unix milliseconds so both dialects compare it alike.
CREATE TABLE web_sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expiry);

-- +goose Down
DROP TABLE web_sessions;
