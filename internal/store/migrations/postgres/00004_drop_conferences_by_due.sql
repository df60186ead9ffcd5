-- +goose Up
-- Lists are ordered by scheduled_start; an overdue filter reads best as a
-- filter along conferences_by_readiness or conferences_by_start, which stop
-- after one page. This index tempted the planner into reading every
-- overdue conference and sorting them.
DROP INDEX conferences_by_due;

-- +goose Down
CREATE INDEX conferences_by_due ON conferences (org, readiness_due_on);
