package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestLoginSetsSmallSafeCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		r := newRig(t, SessionsConfig{Secure: secure})
		c := r.login("otto")
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure {
			t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v; want true, Lax, /, %v",
				c.HttpOnly, c.SameSite, c.Path, c.Secure, secure)
		}
		// Only an opaque id lives in the cookie: no name, no role, no token, nothing large.
		if len(c.Value) > 300 {
			t.Errorf("cookie is %d bytes, want a small opaque id", len(c.Value))
		}
		sess := r.session(c)
		for _, leak := range []string{"otto", "operator", sess.CSRFToken, sess.ID} {
			if strings.Contains(c.Value, leak) {
				t.Errorf("cookie value contains %q", leak)
			}
		}
		if sess.Username != "otto" || sess.Role != RoleOperator || len(sess.CSRFToken) < 40 {
			t.Errorf("session = %+v", sess)
		}
	}
}

func TestLoginIssuesFreshSession(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	first := r.login("vera")
	second := r.loginWith("ada", "ada-pw", first)
	if first.Value == second.Value {
		t.Fatal("login kept the session id the browser already had")
	}
	if r.do(get("/page", first)).Code != http.StatusSeeOther {
		t.Error("the session from before the login is still accepted")
	}
	if got := r.do(get("/page", second)).Body.String(); got != "hello ada" {
		t.Errorf("new session page = %q", got)
	}
}

func TestLogoutRevokesEverywhere(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	c := r.login("otto")
	sess := r.session(c)

	var hooked []string
	r.sessions.OnRevoke(func(id string) { hooked = append(hooked, id) })
	closed := 0
	r.sessions.Track(sess.ID, func() { closed++ })
	untrack := r.sessions.Track(sess.ID, func() { t.Error("untracked connection closed") })
	untrack()
	other := r.login("vera")
	r.sessions.Track(r.session(other).ID, func() { t.Error("another session's socket closed") })

	req := formRequest(http.MethodPost, "/logout", "")
	req.AddCookie(c)
	req.Header.Set(CSRFHeader, sess.CSRFToken)
	rec := r.do(req)
	if rec.Code != http.StatusOK {
		t.Fatalf("logout status %d", rec.Code)
	}
	if !clearsCookie(rec.Result().Cookies()) {
		t.Error("logout did not clear the cookie")
	}
	if diff := cmp.Diff([]string{sess.ID}, hooked); diff != "" {
		t.Errorf("OnRevoke calls (-want +got):\n%s", diff)
	}
	if closed != 1 || r.sessions.Tracked(sess.ID) != 0 {
		t.Errorf("closed %d tracked sockets (left %d), want 1 (0)", closed, r.sessions.Tracked(sess.ID))
	}

	// The copied cookie is refused for a page, an htmx request and a websocket upgrade.
	if rec := r.do(get("/page", c)); rec.Code != http.StatusSeeOther {
		t.Errorf("replayed cookie on a page: status %d", rec.Code)
	}
	ws := get("/page", c)
	ws.Header.Set("Connection", "Upgrade")
	ws.Header.Set("Upgrade", "websocket")
	if rec := r.do(ws); rec.Code != http.StatusUnauthorized {
		t.Errorf("replayed cookie on a websocket upgrade: status %d", rec.Code)
	}
	if got := r.do(get("/page", other)).Body.String(); got != "hello vera" {
		t.Errorf("another user's session after logout: %q", got)
	}
}

func clearsCookie(cookies []*http.Cookie) bool {
	for _, c := range cookies {
		if c.Name == DefaultCookieName && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

func TestRequireSessionRefusals(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	forged := &http.Cookie{Name: DefaultCookieName, Value: "MTIzNDU2Nzg5MA=="}
	tests := []struct {
		name       string
		cookie     *http.Cookie
		header     map[string]string
		wantStatus int
		wantHeader map[string]string
		wantBody   string
	}{
		{name: "page without cookie", wantStatus: http.StatusSeeOther,
			wantHeader: map[string]string{"Location": "/login?next=%2Fpage%3Fc%3D1"}},
		{name: "page with forged cookie", cookie: forged, wantStatus: http.StatusSeeOther,
			wantHeader: map[string]string{"Location": "/login?expired=1&next=%2Fpage%3Fc%3D1"}},
		{
			name:   "htmx with forged cookie",
			cookie: forged,
			header: map[string]string{"HX-Request": "true",
				"HX-Current-URL": "http://example.com/live?conf=7"},
			wantStatus: http.StatusUnauthorized,
			wantHeader: map[string]string{"HX-Redirect": "/login?expired=1&next=%2Flive%3Fconf%3D7"},
		},
		{
			name: "htmx after the cookie was lost",
			header: map[string]string{"HX-Request": "true",
				"HX-Current-URL": "http://example.com/live"},
			wantStatus: http.StatusUnauthorized,
			wantHeader: map[string]string{"HX-Redirect": "/login?expired=1&next=%2Flive"},
			wantBody:   "session expired, reload the page",
		},
		{
			name:       "htmx current URL on another host",
			header:     map[string]string{"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"},
			wantStatus: http.StatusUnauthorized,
			wantHeader: map[string]string{"HX-Redirect": "/login?expired=1&next=%2F"},
		},
		{name: "websocket", header: map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"},
			wantStatus: http.StatusUnauthorized},
		{name: "json", header: map[string]string{"Accept": "application/json"},
			wantStatus: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := get("/page?c=1", tt.cookie)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := r.do(req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("body %q, want %q", rec.Body, tt.wantBody)
			}
			if strings.Contains(rec.Body.String(), "hello") {
				t.Error("the protected handler ran")
			}
			if tt.cookie != nil && !clearsCookie(rec.Result().Cookies()) {
				t.Error("a refused cookie was not cleared")
			}
		})
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	r := newRig(t, SessionsConfig{IdleTimeout: time.Hour})
	c := r.login("vera")
	for range 5 { // active every 50 minutes: stays signed in past the idle timeout
		r.clock.Advance(50 * time.Minute)
		if rec := r.do(get("/page", c)); rec.Code != http.StatusOK {
			t.Fatalf("active session refused at %v: status %d", r.clock.Now(), rec.Code)
		}
	}
	r.clock.Advance(61 * time.Minute)
	if rec := r.do(get("/page", c)); rec.Code != http.StatusSeeOther ||
		!strings.Contains(rec.Header().Get("Location"), "expired=1") {
		t.Errorf("idle session: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	// Expired means gone: coming back earlier does not revive it.
	if _, err := r.sessions.byID(context.Background(), r.idOf(c)); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("idle session still on record: %v", err)
	}
}

func TestSessionAbsoluteLifetime(t *testing.T) {
	r := newRig(t, SessionsConfig{}) // defaults: 12 h idle, 7 d lifetime
	c := r.login("vera")
	for elapsed := time.Duration(0); elapsed < 7*24*time.Hour-10*time.Hour; elapsed += 10 * time.Hour {
		r.clock.Advance(10 * time.Hour)
		if rec := r.do(get("/page", c)); rec.Code != http.StatusOK {
			t.Fatalf("session refused after %v: status %d", elapsed+10*time.Hour, rec.Code)
		}
	}
	r.clock.Advance(10 * time.Hour) // now past 7 days, though seen 10 h ago
	if rec := r.do(get("/page", c)); rec.Code != http.StatusSeeOther {
		t.Errorf("session past its lifetime: status %d", rec.Code)
	}
}

func TestTouchForLongLivedSockets(t *testing.T) {
	r := newRig(t, SessionsConfig{IdleTimeout: time.Hour})
	c := r.login("vera")
	id := r.session(c).ID
	r.clock.Advance(50 * time.Minute)
	if err := r.sessions.Touch(context.Background(), id); err != nil {
		t.Fatalf("Touch() = %v", err)
	}
	r.clock.Advance(50 * time.Minute)
	if rec := r.do(get("/page", c)); rec.Code != http.StatusOK {
		t.Errorf("touched session refused: %d", rec.Code)
	}
	if err := r.sessions.Revoke(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if err := r.sessions.Touch(context.Background(), id); !errors.Is(err, ErrSessionExpired) {
		t.Errorf("Touch() of a revoked session = %v, want ErrSessionExpired", err)
	}
}

func (r *rig) idOf(c *http.Cookie) string {
	req := get("/", c)
	raw, err := r.sessions.cookieID(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return hashID(raw)
}

func TestAccountChangesApplyToSessions(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	ada, vera := r.login("ada"), r.login("vera")
	// The administrator demotes ada (same password line, another role) and removes vera.
	var kept []string
	for _, line := range strings.Split(readFile(t, r.dir+"/accounts"), "\n") {
		switch {
		case strings.HasPrefix(line, "ada:"):
			_, hash, _ := strings.Cut(strings.TrimPrefix(line, "ada:"), ":")
			kept = append(kept, "ada:viewer:"+hash)
		case strings.HasPrefix(line, "#"), line == "":
		default:
			if !strings.HasPrefix(line, "vera:") {
				kept = append(kept, line)
			}
		}
	}
	writeFile(t, r.dir+"/accounts", strings.Join(kept, "\n")+"\n")
	if err := r.users.Reload(); err != nil {
		t.Fatal(err)
	}
	if rec := r.do(get("/admin", ada)); rec.Code != http.StatusForbidden {
		t.Errorf("demoted admin on /admin: status %d, want 403", rec.Code)
	}
	if rec := r.do(get("/page", vera)); rec.Code != http.StatusSeeOther {
		t.Errorf("removed account's session: status %d, want a redirect to login", rec.Code)
	}
}

func TestRestartKeepsSessions(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	c := r.login("otto")
	path := r.dir + "/pexops.db"
	if err := r.store.Close(); err != nil {
		t.Fatal(err)
	}

	// A new process: same database file, keys generated on the first start.
	r.store = openStore(t, path, r.clock)
	r.start(SessionsConfig{})
	if got := r.do(get("/page", c)).Body.String(); got != "hello otto" {
		t.Errorf("after restart: %q, want the session kept", got)
	}

	// Configured keys replace the stored ones: old cookies no longer verify.
	r.start(SessionsConfig{HashKey: bytes.Repeat([]byte{7}, 32)})
	if rec := r.do(get("/page", c)); rec.Code != http.StatusSeeOther {
		t.Errorf("cookie signed with another key: status %d", rec.Code)
	}
}

func TestSessionKeyValidation(t *testing.T) {
	store := openStore(t, t.TempDir()+"/db", newFakeClock())
	tests := []struct {
		name            string
		hashKey, blockK []byte
	}{
		{"short hash key", make([]byte, 16), nil},
		{"odd block key", make([]byte, 32), make([]byte, 20)},
		{"block key alone", nil, make([]byte, 32)},
	}
	for _, tt := range tests {
		_, err := NewSessions(context.Background(),
			SessionsConfig{Store: store, HashKey: tt.hashKey, BlockKey: tt.blockK})
		if err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

func TestListAndRevokeUser(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	r.login("otto")
	r.clock.Advance(time.Minute)
	r.login("otto")
	r.clock.Advance(time.Minute)
	vera := r.login("vera")

	list, err := r.sessions.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range list {
		got = append(got, s.Username+" "+s.RemoteAddr+" "+s.CSRFToken)
	}
	want := []string{"vera 192.0.2.1 ", "otto 192.0.2.1 ", "otto 192.0.2.1 "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List() (-want +got):\n%s", diff)
	}

	n, err := r.sessions.RevokeUser(context.Background(), "otto")
	if err != nil || n != 2 {
		t.Errorf("RevokeUser() = %d, %v; want 2", n, err)
	}
	if rec := r.do(get("/page", vera)); rec.Code != http.StatusOK {
		t.Errorf("vera's session after revoking otto: %d", rec.Code)
	}
}

func TestPruneExpiredSessions(t *testing.T) {
	r := newRig(t, SessionsConfig{IdleTimeout: time.Hour})
	old := r.login("vera")
	oldID := r.session(old).ID
	closed := false
	r.sessions.Track(oldID, func() { closed = true })
	r.clock.Advance(50 * time.Minute)
	fresh := r.login("otto")
	r.clock.Advance(20 * time.Minute)

	n, err := r.sessions.PruneExpired(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("PruneExpired() = %d, %v; want 1", n, err)
	}
	if !closed {
		t.Error("pruning did not close the expired session's socket")
	}
	if rec := r.do(get("/page", fresh)); rec.Code != http.StatusOK {
		t.Errorf("fresh session after pruning: status %d", rec.Code)
	}
}

func TestNoSecretsInLogs(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := newRig(t, SessionsConfig{IdleTimeout: time.Hour, Logger: log})
	c := r.login("otto")
	sess := r.session(c)

	bad := formRequest(http.MethodPost, "/act", "_csrf=wrong")
	bad.AddCookie(c)
	r.do(bad)
	r.clock.Advance(2 * time.Hour) // expire it, which is logged
	r.do(get("/page", c))

	if !strings.Contains(logs.String(), "session ended") {
		t.Fatalf("expected the expiry to be logged, got %q", logs.String())
	}
	for _, secret := range []string{"otto-pw", c.Value, sess.CSRFToken, sess.ID} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret is in the log: %q", logs.String())
		}
	}
}

func TestDecodeKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb, 0xff}, 16)
	tests := []struct {
		name, in string
		want     []byte // nil: refused
	}{
		{"hex", strings.Repeat("fbff", 16), key},
		{"base64", "+//7//v/+//7//v/+//7//v/+//7//v/+//7//v/+/8=", key},
		{"base64url unpadded", "-__7__v_-__7__v_-__7__v_-__7__v_-__7__v_-_8", key},
		{"too short", strings.Repeat("fbff", 8), nil},
		{"not an encoding", "correct horse battery staple, but longer than 32", nil},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeKey(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Errorf("DecodeKey() = %x, want an error", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); err != nil || diff != "" {
				t.Errorf("DecodeKey() error %v (-want +got):\n%s", err, diff)
			}
		})
	}
}

// A password changed in the accounts file ends the sessions signed in with the old one, on the
// next request, while the account's other sessions with the new password carry on.
func TestChangedPasswordEndsOldSessions(t *testing.T) {
	r := newRig(t, SessionsConfig{})
	old := r.login("otto")
	if rec := r.do(get("/page", old)); rec.Code != http.StatusOK {
		t.Fatalf("before the change: status %d", rec.Code)
	}
	var lines []string
	for _, line := range strings.Split(readFile(t, r.dir+"/accounts"), "\n") {
		if strings.HasPrefix(line, "otto:") {
			role := strings.Split(line, ":")[1]
			line = "otto:" + role + ":" + testHash(t, "a-new-password")
		}
		lines = append(lines, line)
	}
	writeFile(t, r.dir+"/accounts", strings.Join(lines, "\n"))
	if err := r.users.Reload(); err != nil {
		t.Fatal(err)
	}
	if rec := r.do(get("/page", old)); rec.Code != http.StatusSeeOther {
		t.Errorf("session of the old password: status %d, want a redirect to sign in", rec.Code)
	}
	fresh := r.loginWith("otto", "a-new-password", nil)
	if rec := r.do(get("/page", fresh)); rec.Code != http.StatusOK {
		t.Errorf("session of the new password: status %d, want 200", rec.Code)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
