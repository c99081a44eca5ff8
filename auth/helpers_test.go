package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
)

// fakeClock is a settable clock for expiry and throttle tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testHash hashes pw at the lowest cost, to keep tests fast.
func testHash(t testing.TB, pw string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// writeAccounts writes an accounts file where each user's password is its name + "-pw".
func writeAccounts(t testing.TB, path string, users map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# test accounts\n")
	for name, role := range users {
		b.WriteString(name + ":" + role + ":" + testHash(t, name+"-pw") + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func openStore(t testing.TB, path string, clock *fakeClock) *Store {
	t.Helper()
	s, err := Open(context.Background(), StoreConfig{Path: path, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rig is a console in miniature: accounts, a store, sessions and an Echo app with routes for
// every guard this package offers.
type rig struct {
	t        *testing.T
	dir      string
	clock    *fakeClock
	store    *Store
	users    *Users
	sessions *Sessions
	boards   *BoardTokens
	echo     *echo.Echo
	lastErr  error // the last error a handler or middleware returned
}

var testUsers = map[string]string{"vera": "viewer", "otto": "operator", "ada": "admin"}

func newRig(t *testing.T, cfg SessionsConfig) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), clock: newFakeClock()}
	writeAccounts(t, filepath.Join(r.dir, "accounts"), testUsers)
	users, err := NewUsers(UsersConfig{File: filepath.Join(r.dir, "accounts"), Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r.users = users
	r.store = openStore(t, filepath.Join(r.dir, "pexops.db"), r.clock)
	r.start(cfg)
	return r
}

// start (re)builds the sessions and the Echo app over r.store.
func (r *rig) start(cfg SessionsConfig) {
	r.t.Helper()
	cfg.Store = r.store
	if cfg.Users == nil {
		cfg.Users = r.users
	}
	s, err := NewSessions(context.Background(), cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.sessions = s
	r.boards = NewBoardTokens(r.store)
	r.echo = r.routes()
}

func (r *rig) routes() *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		r.lastErr = err
		e.DefaultHTTPErrorHandler(err, c)
	}
	login := e.Group("/login", r.sessions.LoginCSRF())
	login.GET("", func(c echo.Context) error { return c.String(http.StatusOK, CSRFToken(c)) })
	login.POST("", func(c echo.Context) error {
		acct, err := r.users.Login(c.FormValue("username"), c.FormValue("password"), c.RealIP())
		if err != nil {
			return c.String(http.StatusUnauthorized, err.Error())
		}
		if _, err := r.sessions.Start(c, acct); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, SafeNext(c.FormValue("next")))
	})
	ok := func(c echo.Context) error {
		sess, _ := FromContext(c)
		return c.String(http.StatusOK, "hello "+sess.Username)
	}
	g := e.Group("", r.sessions.RequireSession(), CSRF())
	g.GET("/page", ok)
	g.Any("/act", ok)
	g.POST("/logout", func(c echo.Context) error { return r.sessions.Logout(c) })
	g.GET("/admin", ok, RequireRole(RoleAdmin))
	g.POST("/moderate", ok, RequireRole(RoleOperator))
	e.GET("/board", func(c echo.Context) error {
		if tok, ok := BoardFromContext(c); ok {
			return c.String(http.StatusOK, "board for "+tok.Label)
		}
		sess, _ := FromContext(c)
		return c.String(http.StatusOK, "board for "+sess.Username)
	}, r.boards.Middleware(r.sessions))
	return e
}

// do sends a request through the app.
func (r *rig) do(req *http.Request) *httptest.ResponseRecorder {
	r.lastErr = nil
	rec := httptest.NewRecorder()
	r.echo.ServeHTTP(rec, req)
	return rec
}

// login signs name in and returns its session cookie.
func (r *rig) login(name string) *http.Cookie {
	r.t.Helper()
	return r.loginWith(name, name+"-pw", nil)
}

func (r *rig) loginWith(name, pw string, old *http.Cookie) *http.Cookie {
	r.t.Helper()
	req := r.loginRequest("username=" + name + "&password=" + pw)
	if old != nil {
		req.AddCookie(old)
	}
	rec := r.do(req)
	if rec.Code != http.StatusSeeOther {
		r.t.Fatalf("login %s: status %d, body %q", name, rec.Code, rec.Body.String())
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == DefaultCookieName && c.MaxAge >= 0 && c.Value != "" {
			return c
		}
	}
	r.t.Fatalf("login %s: no session cookie", name)
	return nil
}

// loginRequest is a login form post carrying the login CSRF cookie and token, as a browser
// that loaded the form sends it.
func (r *rig) loginRequest(form string) *http.Request {
	r.t.Helper()
	rec := r.do(get("/login", nil))
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusOK || len(cookies) != 1 || rec.Body.Len() < 40 {
		r.t.Fatalf("login form: status %d, %d cookies, token %q", rec.Code, len(cookies), rec.Body)
	}
	req := formRequest(http.MethodPost, "/login", form+"&_csrf="+rec.Body.String())
	req.AddCookie(cookies[0])
	return req
}

// session returns the server-side session the cookie names.
func (r *rig) session(c *http.Cookie) *Session {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	sess, err := r.sessions.Load(req)
	if err != nil {
		r.t.Fatalf("load session: %v", err)
	}
	return sess
}

func formRequest(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func get(target string, c *http.Cookie) *http.Request {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if c != nil {
		req.AddCookie(c)
	}
	return req
}
