-- +goose Up
-- Each API key carries its own request rate (per second). Keys made before
-- this take the default that keys create gives: enough for a large
-- council's nightly sync (docs/operations.md).
ALTER TABLE api_keys ADD COLUMN rate_limit DOUBLE PRECISION NOT NULL DEFAULT 50 CHECK (rate_limit > 0 AND rate_limit <= 1000000);

-- +goose Down
ALTER TABLE api_keys DROP COLUMN rate_limit;
