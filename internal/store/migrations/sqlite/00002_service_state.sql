-- +goose Up
-- Facts about the service itself, such as the working-day calendar the
-- stored readiness summaries were computed with.
CREATE TABLE service_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE service_state;
