package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// boardPrefix starts every board token, so one found in a log or a paste is recognisable.
const boardPrefix = "pxb_"

// ErrBadBoardToken means a board token is unknown, revoked or malformed.
var ErrBadBoardToken = errors.New("board token not valid")

// BoardToken is one wall-board credential as listed; the raw token is shown only by Create.
type BoardToken struct {
	ID        int64
	Label     string
	CreatedBy string
	Created   time.Time
	LastUsed  time.Time // zero if never used
}

// BoardTokens manages long-lived tokens that let a wall display show the board, and nothing
// else, without signing in. Only SHA-256 hashes of the tokens are stored.
//
// NOTE: LastUsed is written at most once a minute per token.
type BoardTokens struct {
	store *Store
	conns *tracker
}

// NewBoardTokens returns the board token manager over store.
func NewBoardTokens(store *Store) *BoardTokens {
	return &BoardTokens{store: store, conns: newTracker()}
}

// Create makes a token labelled label (e.g. "NOC wall, 2nd floor") on behalf of createdBy
// and returns the raw token, the only time it is available.
func (b *BoardTokens) Create(ctx context.Context, label, createdBy string) (string, BoardToken, error) {
	label = strings.TrimSpace(label)
	if label == "" || utf8.RuneCountInString(label) > 100 {
		return "", BoardToken{}, errors.New("create board token: label must be 1 to 100 characters")
	}
	raw := boardPrefix + randomToken()
	tok := BoardToken{Label: label, CreatedBy: createdBy, Created: b.store.now().UTC()}
	res, err := b.store.db.ExecContext(ctx,
		"INSERT INTO board_tokens(hash, label, created_by, created) VALUES(?, ?, ?, ?)",
		hashID(raw), tok.Label, tok.CreatedBy, toNanos(tok.Created))
	if err != nil {
		return "", BoardToken{}, fmt.Errorf("create board token: %w", err)
	}
	if tok.ID, err = res.LastInsertId(); err != nil {
		return "", BoardToken{}, fmt.Errorf("create board token: %w", err)
	}
	return raw, tok, nil
}

// List returns every board token, newest first.
func (b *BoardTokens) List(ctx context.Context) ([]BoardToken, error) {
	rows, err := b.store.db.QueryContext(ctx,
		`SELECT id, label, created_by, created, last_used FROM board_tokens
		 ORDER BY created DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list board tokens: %w", err)
	}
	defer rows.Close()
	var out []BoardToken
	for rows.Next() {
		var t BoardToken
		var created, used int64
		if err := rows.Scan(&t.ID, &t.Label, &t.CreatedBy, &created, &used); err != nil {
			return nil, fmt.Errorf("list board tokens: %w", err)
		}
		t.Created, t.LastUsed = fromNanos(created), fromNanos(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Revoke deletes the token with id and closes the board connections it opened. An unknown id
// returns ErrBadBoardToken.
func (b *BoardTokens) Revoke(ctx context.Context, id int64) error {
	res, err := b.store.db.ExecContext(ctx, "DELETE FROM board_tokens WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("revoke board token: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("revoke board token %d: %w", id, ErrBadBoardToken)
	}
	b.conns.closeAll(strconv.FormatInt(id, 10))
	return nil
}

// Verify returns the token raw stands for, or ErrBadBoardToken.
func (b *BoardTokens) Verify(ctx context.Context, raw string) (BoardToken, error) {
	if !strings.HasPrefix(raw, boardPrefix) || len(raw) > 100 {
		return BoardToken{}, ErrBadBoardToken
	}
	var t BoardToken
	var created, used int64
	err := b.store.db.QueryRowContext(ctx,
		"SELECT id, label, created_by, created, last_used FROM board_tokens WHERE hash = ?",
		hashID(raw)).Scan(&t.ID, &t.Label, &t.CreatedBy, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return BoardToken{}, ErrBadBoardToken
	}
	if err != nil {
		return BoardToken{}, fmt.Errorf("verify board token: %w", err)
	}
	t.Created, t.LastUsed = fromNanos(created), fromNanos(used)

	now := b.store.now()
	if now.Sub(t.LastUsed) >= time.Minute {
		if _, err := b.store.db.ExecContext(ctx,
			"UPDATE board_tokens SET last_used = ? WHERE id = ?", toNanos(now), t.ID); err != nil {
			return BoardToken{}, fmt.Errorf("verify board token: %w", err)
		}
		t.LastUsed = now.UTC()
	}
	return t, nil
}

// Track registers closeFn (closing one board websocket) to run when token id is revoked.
func (b *BoardTokens) Track(id int64, closeFn func()) (untrack func()) {
	return b.conns.add(strconv.FormatInt(id, 10), closeFn)
}

// Middleware guards the board routes, and only those: a request with ?token= must carry a
// valid board token (else 401); one without is let in by a signed-in session of any role, or
// refused like RequireSession refuses (pass nil sessions to accept tokens only). Responses to
// token requests carry Referrer-Policy: no-referrer, so the token does not leak to links.
func (b *BoardTokens) Middleware(sessions *Sessions) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw := c.QueryParam("token")
			if raw == "" && sessions != nil {
				return sessions.RequireSession()(next)(c)
			}
			tok, err := b.Verify(c.Request().Context(), raw)
			if errors.Is(err, ErrBadBoardToken) {
				return c.String(http.StatusUnauthorized, ErrBadBoardToken.Error())
			}
			if err != nil {
				return err
			}
			c.Response().Header().Set("Referrer-Policy", "no-referrer")
			c.Response().Header().Set("Cache-Control", "no-store")
			c.Set(ctxBoard, tok)
			return next(c)
		}
	}
}

// BoardFromContext returns the board token the board middleware accepted for this request;
// false when the request came in with a session instead.
func BoardFromContext(c echo.Context) (BoardToken, bool) {
	t, ok := c.Get(ctxBoard).(BoardToken)
	return t, ok
}
