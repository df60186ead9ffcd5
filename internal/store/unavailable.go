package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// cannotWrite reports whether err says the database cannot take writes
// for now: a full disk, a file or server that has become read-only, or
// SQLite failing to read or write its file. The write was refused whole,
// so the caller may retry once an operator has made room.
func cannotWrite(err error) bool {
	var lite sqlite3.Error
	if errors.As(err, &lite) {
		switch lite.Code {
		case sqlite3.ErrFull, sqlite3.ErrReadonly, sqlite3.ErrIoErr, sqlite3.ErrCantOpen:
			return true
		}
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		// Class 53 is insufficient resources (a full disk, out of memory,
		// too many connections); 25006 is a write sent to a read-only
		// server, as after a failover; 57P03 is a server still starting.
		return strings.HasPrefix(pg.Code, "53") || pg.Code == "25006" || pg.Code == "57P03"
	}
	return false
}
