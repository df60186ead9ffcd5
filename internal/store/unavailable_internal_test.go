package store

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestStorageThatCannotBeWrittenIsUnavailable(t *testing.T) {
	for err, kind := range map[error]string{
		sqlite3.Error{Code: sqlite3.ErrFull}:                                               domain.EUNAVAILABLE,
		sqlite3.Error{Code: sqlite3.ErrReadonly, ExtendedCode: sqlite3.ErrReadonlyDbMoved}: domain.EUNAVAILABLE,
		sqlite3.Error{Code: sqlite3.ErrIoErr, ExtendedCode: sqlite3.ErrIoErrFsync}:         domain.EUNAVAILABLE,
		sqlite3.Error{Code: sqlite3.ErrCorrupt}:                                            domain.EINTERNAL,
		&pgconn.PgError{Code: "53100"}:                                                     domain.EUNAVAILABLE, // disk full
		&pgconn.PgError{Code: "25006"}:                                                     domain.EUNAVAILABLE, // read-only transaction
		&pgconn.PgError{Code: "42P01"}:                                                     domain.EINTERNAL,
	} {
		if got := domain.ErrorKind(mapError(fmt.Errorf("tx: %w", err))); got != kind {
			t.Errorf("mapError(%v) kind = %s, want %s", err, got, kind)
		}
	}
}
