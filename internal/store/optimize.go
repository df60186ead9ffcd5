package store

import "context"

// Optimize refreshes the statistics SQLite's query planner uses to choose
// between indexes. analysis_limit makes ANALYZE sample each index rather
// than read it all, so that it stays quick on a large database.
// PostgreSQL's autovacuum does this by itself.
func (db *DB) Optimize(ctx context.Context) error {
	if db.Dialect != SQLite {
		return nil
	}
	return db.inWrite(ctx, func(t *Tx) error {
		if _, err := t.tx.ExecContext(t.ctx, "PRAGMA analysis_limit = 1000"); err != nil {
			return err
		}
		_, err := t.tx.ExecContext(t.ctx, "ANALYZE")
		return err
	})
}
