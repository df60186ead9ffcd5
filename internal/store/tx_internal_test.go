package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/cpcready/cpcready/internal/domain"
)

func TestWhichErrorsAreRetried(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("tx: %w", err) }
	cases := []struct {
		err                error
		transient, dropped bool
	}{
		{wrap(&pgconn.PgError{Code: "40001"}), true, false}, // serialization failure
		{wrap(&pgconn.PgError{Code: "40P01"}), true, false}, // deadlock
		{wrap(&pgconn.PgError{Code: "23505"}), false, false},
		{wrap(&pgconn.PgError{Code: "57P01"}), false, true}, // admin shutdown
		{wrap(&pgconn.PgError{Code: "08006"}), false, true}, // connection failure
		{errors.New("database is locked"), true, false},
		{errors.New("driver: bad connection"), false, true},
		{errors.New("syntax error"), false, false},
	}
	for _, c := range cases {
		if got := transient(c.err); got != c.transient {
			t.Errorf("transient(%v) = %v", c.err, got)
		}
		if got := droppedConnection(c.err); got != c.dropped {
			t.Errorf("droppedConnection(%v) = %v", c.err, got)
		}
	}
}

func TestMapErrorKinds(t *testing.T) {
	for err, kind := range map[error]string{
		gorm.ErrRecordNotFound:     domain.ENOTFOUND,
		gorm.ErrDuplicatedKey:      domain.ECONFLICT,
		gorm.ErrForeignKeyViolated: domain.ECONFLICT,
		errors.New("disk on fire"): domain.EINTERNAL,
	} {
		if got := domain.ErrorKind(mapError(fmt.Errorf("wrapped: %w", err))); got != kind {
			t.Errorf("mapError(%v) kind = %s, want %s", err, got, kind)
		}
	}
}
