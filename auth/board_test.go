package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBoardTokenLifecycle(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, SessionsConfig{})
	raw, tok, err := r.boards.Create(ctx, "  NOC wall  ", "ada")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, boardPrefix) || len(raw) < len(boardPrefix)+43 ||
		strings.ContainsAny(raw, "+/=") {
		t.Errorf("token %q: want pxb_ and at least 32 random bytes, URL-safe", raw)
	}
	created := r.clock.Now()

	r.clock.Advance(time.Hour)
	got, err := r.boards.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	want := BoardToken{ID: tok.ID, Label: "NOC wall", CreatedBy: "ada", Created: created,
		LastUsed: r.clock.Now()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Verify() (-want +got):\n%s", diff)
	}
	list, err := r.boards.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]BoardToken{want}, list); diff != "" {
		t.Errorf("List() (-want +got):\n%s", diff)
	}

	closed := 0
	r.boards.Track(tok.ID, func() { closed++ })
	if err := r.boards.Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.boards.Verify(ctx, raw); !errors.Is(err, ErrBadBoardToken) {
		t.Errorf("Verify() after revoke = %v", err)
	}
	if closed != 1 {
		t.Errorf("revoke closed %d board sockets, want 1", closed)
	}
	if err := r.boards.Revoke(ctx, tok.ID); !errors.Is(err, ErrBadBoardToken) {
		t.Errorf("second Revoke() = %v, want ErrBadBoardToken", err)
	}
}

func TestBoardTokensStoredHashed(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, SessionsConfig{})
	raw, _, err := r.boards.Create(ctx, "lobby", "ada")
	if err != nil {
		t.Fatal(err)
	}
	var hash, label, by string
	if err := r.store.db.QueryRowContext(ctx,
		"SELECT hash, label, created_by FROM board_tokens").Scan(&hash, &label, &by); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(raw))
	if hash != hex.EncodeToString(sum[:]) {
		t.Errorf("stored %q, want the SHA-256 of the token", hash)
	}
	for _, col := range []string{hash, label, by} {
		if strings.Contains(col, raw[len(boardPrefix):]) {
			t.Error("the raw token is stored")
		}
	}
}

func TestBoardTokenRejects(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, SessionsConfig{})
	raw, _, err := r.boards.Create(ctx, "lobby", "ada")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "pxb_", raw[:len(raw)-1], raw + "x", strings.ToUpper(raw),
		strings.TrimPrefix(raw, boardPrefix)} {
		if _, err := r.boards.Verify(ctx, bad); !errors.Is(err, ErrBadBoardToken) {
			t.Errorf("Verify(%q) = %v, want ErrBadBoardToken", bad, err)
		}
	}
	for _, label := range []string{"", "   ", strings.Repeat("x", 101)} {
		if _, _, err := r.boards.Create(ctx, label, "ada"); err == nil {
			t.Errorf("Create(label %q) succeeded", label)
		}
	}
}

func TestBoardMiddleware(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, SessionsConfig{})
	raw, _, err := r.boards.Create(ctx, "lobby", "ada")
	if err != nil {
		t.Fatal(err)
	}
	vera := r.login("vera")
	tests := []struct {
		name       string
		target     string
		cookie     *http.Cookie
		wantStatus int
		wantBody   string
	}{
		{"token on the board", "/board?token=" + url.QueryEscape(raw), nil, http.StatusOK, "board for lobby"},
		{"session on the board", "/board", vera, http.StatusOK, "board for vera"},
		{"bad token", "/board?token=pxb_nope", nil, http.StatusUnauthorized, "board token not valid"},
		{"bad token beats a session", "/board?token=pxb_nope", vera, http.StatusUnauthorized, ""},
		{"nothing", "/board", nil, http.StatusSeeOther, ""},
		{"token on a console page", "/page?token=" + url.QueryEscape(raw), nil, http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := r.do(get(tt.target, tt.cookie))
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", rec.Body, tt.wantBody)
			}
			if strings.Contains(tt.target, raw) && rec.Code == http.StatusOK &&
				rec.Header().Get("Referrer-Policy") != "no-referrer" {
				t.Error("token page without Referrer-Policy: no-referrer")
			}
		})
	}
}
