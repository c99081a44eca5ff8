package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// Store is the console's embedded SQLite database: sessions, board tokens, settings and the
// audit trail. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger
}

// StoreConfig configures Open.
type StoreConfig struct {
	// Path is the database file, created if missing. It must not contain '?'.
	Path string
	// Now is the clock for every record the store's users write; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

// migrations are applied in order; the database's user_version is how many have run. Append
// only: never edit one that has shipped.
var migrations = []string{
	`CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value BLOB NOT NULL
	);
	CREATE TABLE sessions (
		id          TEXT PRIMARY KEY,  -- SHA-256 of the cookie's session id, hex
		username    TEXT NOT NULL,
		role        TEXT NOT NULL,
		created     INTEGER NOT NULL,  -- Unix nanoseconds, UTC
		last_seen   INTEGER NOT NULL,
		csrf        TEXT NOT NULL,
		remote_addr TEXT NOT NULL
	);
	CREATE INDEX sessions_username ON sessions(username);
	CREATE TABLE board_tokens (
		id         INTEGER PRIMARY KEY,
		hash       TEXT NOT NULL UNIQUE, -- SHA-256 of the token, hex
		label      TEXT NOT NULL,
		created_by TEXT NOT NULL,
		created    INTEGER NOT NULL,
		last_used  INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE audit (
		id               INTEGER PRIMARY KEY,
		time             INTEGER NOT NULL,
		account          TEXT NOT NULL,
		address          TEXT NOT NULL,
		action           TEXT NOT NULL,
		resource         TEXT NOT NULL,
		fields           TEXT NOT NULL,  -- changed field names, a JSON array or null
		conference_id    TEXT NOT NULL,
		conference_name  TEXT NOT NULL,
		participant_id   TEXT NOT NULL,
		participant_name TEXT NOT NULL,
		service_id       TEXT NOT NULL,
		service_name     TEXT NOT NULL,
		ok               INTEGER NOT NULL,
		message          TEXT NOT NULL
	);
	CREATE INDEX audit_time ON audit(time);
	CREATE INDEX audit_account ON audit(account, time);`,
	// 2: which password a session signed in with, so a changed password ends the session.
	`ALTER TABLE sessions ADD COLUMN credential TEXT NOT NULL DEFAULT '';`,
}

// Open opens (creating and migrating as needed) the database at cfg.Path in WAL mode, with a
// busy timeout and full synchronous commits, so a write is on disk when its call returns.
func Open(ctx context.Context, cfg StoreConfig) (*Store, error) {
	if cfg.Path == "" || strings.ContainsAny(cfg.Path, "?#") {
		return nil, fmt.Errorf("open store: invalid database path %q", cfg.Path)
	}
	if err := createPrivate(cfg.Path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	dsn := cfg.Path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)

	s := &Store{db: db, now: cfg.Now, log: loggerOrDiscard(cfg.Logger)}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", cfg.Path, err)
	}
	return s, nil
}

// createPrivate creates a missing database file readable by its owner only: it holds the
// session keys. SQLite gives its -wal and -shm files the same permissions.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) migrate(ctx context.Context) error {
	var version int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this program (%d)",
			version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if err := s.migrateOne(ctx, v); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
		s.log.Info("database migrated", "version", v+1)
	}
	return nil
}

func (s *Store) migrateOne(ctx context.Context, v int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return err
	}
	// user_version lives in the database header, written inside this transaction.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return err
	}
	return tx.Commit()
}

// Setting returns the value stored under key; ok is false when there is none.
func (s *Store) Setting(ctx context.Context, key string) (value []byte, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores value under key, replacing any previous value.
func (s *Store) SetSetting(ctx context.Context, key string, value []byte) error {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO settings(key, value) VALUES(?, ?) "+
			"ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	if err != nil {
		return fmt.Errorf("write setting %s: %w", key, err)
	}
	return nil
}

// settingOnce returns the value under key, storing gen()'s result first if there is none.
// When two processes race, the first write wins and both return it.
func (s *Store) settingOnce(ctx context.Context, key string, gen func() []byte) ([]byte, error) {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO settings(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING", key, gen())
	if err != nil {
		return nil, fmt.Errorf("write setting %s: %w", key, err)
	}
	v, _, err := s.Setting(ctx, key)
	return v, err
}

func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
