-- +goose Up
-- checked_by is unique only within its kind of principal (a token's subject
-- may equal a key's id), so a check names the kind too. Checks recorded
-- before it was kept leave it NULL.
ALTER TABLE readiness_checks ADD COLUMN checked_by_kind TEXT CHECK (checked_by_kind IN ('key', 'token', 'system'));

-- +goose Down
ALTER TABLE readiness_checks DROP COLUMN checked_by_kind;
