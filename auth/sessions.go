package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

// Session defaults and names.
const (
	DefaultIdleTimeout = 12 * time.Hour
	DefaultMaxLifetime = 7 * 24 * time.Hour
	DefaultCookieName  = "pexops_session"

	cookieValueKey  = "sid"
	hashKeySetting  = "session_hash_key"
	blockKeySetting = "session_block_key"
)

var (
	// ErrNoSession means the request carries no session cookie: the user has not signed in.
	ErrNoSession = errors.New("not signed in")
	// ErrSessionExpired means the request carries a session cookie the server no longer
	// accepts: signed out, revoked, idle or past its lifetime, or forged.
	ErrSessionExpired = errors.New("session expired")
)

// Session is one signed-in browser, as recorded on the server.
type Session struct {
	// ID names the session on the server (for OnRevoke, Track and Revoke). It is the SHA-256
	// of the secret in the cookie, so it is not itself a credential; still, do not show it.
	ID         string
	Username   string
	Role       Role
	Created    time.Time
	LastSeen   time.Time
	CSRFToken  string // the synchronizer token; never put it in a URL or a log
	RemoteAddr string // where the session signed in from

	credential string // Account.credential at sign-in; "" for sessions from before it was kept
}

// SessionsConfig configures NewSessions.
type SessionsConfig struct {
	Store *Store // required
	// Users, when set, is consulted on every request: a session whose account was removed
	// from the accounts file is revoked, and a changed role takes effect at once.
	Users *Users
	// HashKey signs the cookie (at least 32 bytes); BlockKey (32 bytes, optional) encrypts it.
	// Without a HashKey both keys are generated on first start and kept in the store, so
	// sessions survive a restart. Configured keys are used as given and not stored.
	HashKey, BlockKey []byte
	CookieName        string        // default DefaultCookieName
	Secure            bool          // mark the cookie Secure: on when served over or behind TLS
	IdleTimeout       time.Duration // default DefaultIdleTimeout
	MaxLifetime       time.Duration // default DefaultMaxLifetime
	Logger            *slog.Logger  // nil discards
}

// Sessions issues, checks and revokes server-side sessions. The cookie holds only an opaque
// random session id; everything else lives in the store.
//
// NOTE: LastSeen is written at most once a minute (or a tenth of the idle timeout, if shorter)
// per session, so a busy console does not write to the database on every request; the idle
// timeout is exact to within that interval.
type Sessions struct {
	store   *Store
	users   *Users
	cookies *sessions.CookieStore
	name    string
	idle    time.Duration
	max     time.Duration
	touch   time.Duration
	log     *slog.Logger

	conns *tracker

	mu    sync.Mutex
	hooks []func(sessionID string)
}

// NewSessions returns the session manager over cfg.Store.
func NewSessions(ctx context.Context, cfg SessionsConfig) (*Sessions, error) {
	if cfg.Store == nil {
		return nil, errors.New("sessions: no store")
	}
	hashKey, blockKey, err := sessionKeys(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &Sessions{
		store: cfg.Store,
		users: cfg.Users,
		name:  cmp.Or(cfg.CookieName, DefaultCookieName),
		idle:  cmp.Or(cfg.IdleTimeout, DefaultIdleTimeout),
		max:   cmp.Or(cfg.MaxLifetime, DefaultMaxLifetime),
		log:   loggerOrDiscard(cfg.Logger),
		conns: newTracker(),
	}
	s.touch = min(time.Minute, s.idle/10)

	pairs := [][]byte{hashKey}
	if blockKey != nil {
		pairs = append(pairs, blockKey)
	}
	s.cookies = sessions.NewCookieStore(pairs...)
	s.cookies.Options = &sessions.Options{
		Path:     "/",
		HttpOnly: true,
		Secure:   cfg.Secure,
		SameSite: http.SameSiteLaxMode,
	}
	s.cookies.MaxAge(int(s.max / time.Second))
	return s, nil
}

func sessionKeys(ctx context.Context, cfg SessionsConfig) (hashKey, blockKey []byte, err error) {
	if cfg.HashKey != nil {
		if len(cfg.HashKey) < 32 {
			return nil, nil, errors.New("sessions: hash key shorter than 32 bytes")
		}
		if cfg.BlockKey != nil && len(cfg.BlockKey) != 32 {
			return nil, nil, errors.New("sessions: block key is not 32 bytes")
		}
		return cfg.HashKey, cfg.BlockKey, nil
	}
	if cfg.BlockKey != nil {
		return nil, nil, errors.New("sessions: block key configured without a hash key")
	}
	gen := func() []byte { return randomBytes(32) }
	if hashKey, err = cfg.Store.settingOnce(ctx, hashKeySetting, gen); err != nil {
		return nil, nil, fmt.Errorf("sessions: %w", err)
	}
	if blockKey, err = cfg.Store.settingOnce(ctx, blockKeySetting, gen); err != nil {
		return nil, nil, fmt.Errorf("sessions: %w", err)
	}
	return hashKey, blockKey, nil
}

// Start signs acct in: it revokes any session the request already carries (so a session id
// planted before login is never promoted), creates a fresh one and sets its cookie.
func (s *Sessions) Start(c echo.Context, acct Account) (*Session, error) {
	r := c.Request()
	if old, err := s.cookieID(r); err == nil {
		if err := s.Revoke(r.Context(), hashID(old)); err != nil {
			return nil, err
		}
	}

	raw := randomToken()
	now := s.store.now().UTC()
	sess := &Session{
		ID:         hashID(raw),
		Username:   acct.Username,
		Role:       acct.Role,
		Created:    now,
		LastSeen:   now,
		CSRFToken:  randomToken(),
		RemoteAddr: c.RealIP(),
	}
	_, err := s.store.db.ExecContext(r.Context(),
		`INSERT INTO sessions(id, username, role, created, last_seen, csrf, remote_addr, credential)
		 VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		sess.ID, sess.Username, sess.Role.String(), toNanos(now), toNanos(now),
		sess.CSRFToken, sess.RemoteAddr, s.credentialOf(acct))
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}

	if err := s.saveCookie(c.Response(), r, raw); err != nil {
		s.log.Error("session cookie not saved", "user", acct.Username, "error", err)
		_ = s.Revoke(r.Context(), sess.ID)
		return nil, fmt.Errorf("start session: %w", err)
	}
	return sess, nil
}

// credentialOf is the account's credential stamp, from the accounts as they are now (the
// Account a login returns carries no hash).
func (s *Sessions) credentialOf(acct Account) string {
	if c := acct.credential(); c != "" || s.users == nil {
		return c
	}
	if a, ok := s.users.Lookup(acct.Username); ok {
		return a.credential()
	}
	return ""
}

func (s *Sessions) saveCookie(w http.ResponseWriter, r *http.Request, raw string) error {
	cs := sessions.NewSession(s.cookies, s.name)
	opts := *s.cookies.Options
	cs.Options = &opts
	cs.Values[cookieValueKey] = raw
	return s.cookies.Save(r, w, cs)
}

// ClearCookie tells the browser to drop the session cookie.
func (s *Sessions) ClearCookie(w http.ResponseWriter) {
	opts := *s.cookies.Options
	opts.MaxAge = -1
	http.SetCookie(w, sessions.NewCookie(s.name, "", &opts))
}

// cookieID returns the raw session id from the request's cookie.
func (s *Sessions) cookieID(r *http.Request) (string, error) {
	if _, err := r.Cookie(s.name); err != nil {
		return "", ErrNoSession
	}
	cs, err := s.cookies.New(r, s.name)
	if err != nil {
		return "", ErrSessionExpired
	}
	raw, ok := cs.Values[cookieValueKey].(string)
	if !ok || raw == "" {
		return "", ErrSessionExpired
	}
	return raw, nil
}

// Load returns the session the request's cookie names, checked against the store: ErrNoSession
// without a cookie, ErrSessionExpired when the server no longer accepts it. It refreshes
// LastSeen, so call it once per request (RequireSession does).
func (s *Sessions) Load(r *http.Request) (*Session, error) {
	raw, err := s.cookieID(r)
	if err != nil {
		return nil, err
	}
	return s.check(r.Context(), hashID(raw), true)
}

// Touch checks that the session is still valid and counts as activity: a websocket handler
// calls it now and then, and closes its socket on an error.
func (s *Sessions) Touch(ctx context.Context, sessionID string) error {
	_, err := s.check(ctx, sessionID, true)
	return err
}

// check loads the session and enforces revocation, expiry and (with Users) the account.
func (s *Sessions) check(ctx context.Context, id string, touch bool) (*Session, error) {
	sess, err := s.byID(ctx, id)
	if err != nil {
		return nil, err
	}
	now := s.store.now()
	reason := ""
	switch {
	case now.Sub(sess.LastSeen) > s.idle:
		reason = "idle"
	case now.Sub(sess.Created) > s.max:
		reason = "lifetime"
	}
	if reason == "" && s.users != nil {
		acct, ok := s.users.Lookup(sess.Username)
		switch {
		case !ok:
			reason = "account removed"
		case sess.credential != "" && sess.credential != acct.credential():
			reason = "password changed"
		}
		sess.Role = acct.Role
	}
	if reason != "" {
		s.log.Info("session ended", "user", sess.Username, "reason", reason)
		if err := s.Revoke(ctx, id); err != nil {
			return nil, err
		}
		return nil, ErrSessionExpired
	}

	if touch && now.Sub(sess.LastSeen) >= s.touch {
		if err := s.markSeen(ctx, id, now); err != nil {
			return nil, err
		}
		sess.LastSeen = now.UTC()
	}
	return sess, nil
}

func (s *Sessions) byID(ctx context.Context, id string) (*Session, error) {
	var (
		sess             = &Session{ID: id}
		role             string
		created, lastSen int64
	)
	err := s.store.db.QueryRowContext(ctx,
		`SELECT username, role, created, last_seen, csrf, remote_addr, credential FROM sessions WHERE id = ?`,
		id).Scan(&sess.Username, &role, &created, &lastSen, &sess.CSRFToken, &sess.RemoteAddr, &sess.credential)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	// An unknown role (a database written by a newer version) allows nothing.
	sess.Role, _ = ParseRole(role)
	sess.Created, sess.LastSeen = fromNanos(created), fromNanos(lastSen)
	return sess, nil
}

func (s *Sessions) markSeen(ctx context.Context, id string, now time.Time) error {
	_, err := s.store.db.ExecContext(ctx,
		"UPDATE sessions SET last_seen = ? WHERE id = ?", toNanos(now), id)
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// Logout revokes the request's session, if any, and clears its cookie.
func (s *Sessions) Logout(c echo.Context) error {
	s.ClearCookie(c.Response())
	raw, err := s.cookieID(c.Request())
	if err != nil {
		return nil
	}
	return s.Revoke(c.Request().Context(), hashID(raw))
}

// Revoke ends a session on the server: its cookie is refused from now on, the OnRevoke hooks
// run and its tracked connections are closed. Revoking an unknown session is not an error.
func (s *Sessions) Revoke(ctx context.Context, sessionID string) error {
	if _, err := s.store.db.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", sessionID); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	s.revoked(sessionID)
	return nil
}

// RevokeUser ends every session of username and returns how many there were.
func (s *Sessions) RevokeUser(ctx context.Context, username string) (int, error) {
	ids, err := s.ids(ctx, "SELECT id FROM sessions WHERE username = ?", username)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of %s: %w", username, err)
	}
	for _, id := range ids {
		if err := s.Revoke(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// PruneExpired deletes sessions past their idle timeout or lifetime (they are refused anyway;
// this keeps the table small) and returns how many went.
func (s *Sessions) PruneExpired(ctx context.Context) (int, error) {
	now := s.store.now()
	ids, err := s.ids(ctx, "SELECT id FROM sessions WHERE last_seen < ? OR created < ?",
		toNanos(now.Add(-s.idle)), toNanos(now.Add(-s.max)))
	if err != nil {
		return 0, fmt.Errorf("prune sessions: %w", err)
	}
	for _, id := range ids {
		if err := s.Revoke(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

func (s *Sessions) ids(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.store.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// List returns every session on record, newest first, with CSRFToken left empty and Role as
// it was at sign-in.
func (s *Sessions) List(ctx context.Context) ([]Session, error) {
	rows, err := s.store.db.QueryContext(ctx,
		`SELECT id, username, role, created, last_seen, remote_addr FROM sessions
		 ORDER BY created DESC`)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var (
			sess             Session
			role             string
			created, lastSen int64
		)
		if err := rows.Scan(&sess.ID, &sess.Username, &role, &created, &lastSen,
			&sess.RemoteAddr); err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		sess.Role, _ = ParseRole(role)
		sess.Created, sess.LastSeen = fromNanos(created), fromNanos(lastSen)
		out = append(out, sess)
	}
	return out, rows.Err()
}

// OnRevoke registers fn to run (synchronously, after the record is gone) whenever a session
// is revoked: by logout, expiry, removal of its account, or Revoke.
func (s *Sessions) OnRevoke(fn func(sessionID string)) {
	s.mu.Lock()
	s.hooks = append(s.hooks, fn)
	s.mu.Unlock()
}

// Track registers closeFn to be called when the session is revoked, typically closing one
// websocket connection. Call the returned untrack when the connection ends by itself.
func (s *Sessions) Track(sessionID string, closeFn func()) (untrack func()) {
	return s.conns.add(sessionID, closeFn)
}

// Tracked returns how many connections are tracked for the session.
func (s *Sessions) Tracked(sessionID string) int { return s.conns.count(sessionID) }

func (s *Sessions) revoked(sessionID string) {
	s.mu.Lock()
	hooks := append([]func(string){}, s.hooks...)
	s.mu.Unlock()
	for _, fn := range hooks {
		fn(sessionID)
	}
	s.conns.closeAll(sessionID)
}

// hashID is how a raw session id or board token is kept on the server, so a copy of the
// database reveals no credential.
func hashID(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead
	return b
}

// randomToken returns 32 random bytes, base64url without padding (43 characters).
func randomToken() string {
	return base64.RawURLEncoding.EncodeToString(randomBytes(32))
}

// DecodeKey decodes a session key from configuration, written as hex or as base64 (standard
// or URL alphabet, with or without padding). It must come to at least 32 bytes.
func DecodeKey(s string) ([]byte, error) {
	decoders := []func(string) ([]byte, error){
		hex.DecodeString,
		base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	}
	for _, decode := range decoders {
		if b, err := decode(s); err == nil && len(b) >= 32 {
			return b, nil
		}
	}
	return nil, errors.New("session key: want at least 32 bytes as hex or base64")
}
