package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// LoginPath is where RequireSession sends people who are not signed in.
const LoginPath = "/login"

// ErrForbidden is inside the *echo.HTTPError RequireRole returns for too low a role.
var ErrForbidden = errors.New("your role does not allow this")

const (
	ctxSession = "pexops.auth.session"
	ctxBoard   = "pexops.auth.board"
)

// FromContext returns the session RequireSession found for this request.
func FromContext(c echo.Context) (*Session, bool) {
	sess, ok := c.Get(ctxSession).(*Session)
	return sess, ok && sess != nil
}

// RequireSession lets a request through only with a valid session, which it puts in the
// context for FromContext. Otherwise: a page request is redirected to LoginPath with a safe
// next; an htmx request gets 401 with HX-Redirect to that login URL, so the page moves to the
// login form saying the session expired; websocket, JSON and other requests get a plain 401.
// A refused cookie is cleared. Authenticated answers are marked Cache-Control: no-store.
func (s *Sessions) RequireSession() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess, err := s.Load(c.Request())
			switch {
			case err == nil:
				c.Set(ctxSession, sess)
				c.Response().Header().Set("Cache-Control", "no-store")
				return next(c)
			case errors.Is(err, ErrSessionExpired):
				s.ClearCookie(c.Response())
				return refuseSession(c, true)
			case errors.Is(err, ErrNoSession):
				return refuseSession(c, false)
			}
			return err
		}
	}
}

func refuseSession(c echo.Context, expired bool) error {
	r := c.Request()
	htmx := r.Header.Get("HX-Request") == "true"
	// An htmx request comes from a console page, which was served to a session: even with
	// the cookie gone (cleared, or lost), the operator's session is what ended.
	expired = expired || htmx
	msg := "not signed in"
	if expired {
		msg = "session expired, reload the page"
	}
	switch {
	case htmx:
		next := sameHostPath(r.Header.Get("HX-Current-URL"), r.Host)
		c.Response().Header().Set("HX-Redirect", LoginURL(next, expired))
		return c.String(http.StatusUnauthorized, msg)
	case isWebSocket(r) || strings.Contains(r.Header.Get("Accept"), "application/json"):
		return c.String(http.StatusUnauthorized, msg)
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return c.Redirect(http.StatusSeeOther, LoginURL(r.URL.RequestURI(), expired))
	}
	// A plain form posted after the session ended: back to the page it came from.
	next := sameHostPath(r.Header.Get("Referer"), r.Host)
	return c.Redirect(http.StatusSeeOther, LoginURL(next, expired))
}

func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// sameHostPath returns the path and query of an absolute URL on host, or "/".
func sameHostPath(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host != host {
		return "/"
	}
	return u.RequestURI()
}

// RequireRole refuses, with 403 and ErrForbidden inside the *echo.HTTPError, a session whose
// role is below want. Without a session (RequireSession missing) it answers 401.
func RequireRole(want Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess, ok := FromContext(c)
			if !ok {
				return &echo.HTTPError{Code: http.StatusUnauthorized, Message: "not signed in",
					Internal: ErrNoSession}
			}
			if !sess.Role.Allows(want) {
				return &echo.HTTPError{Code: http.StatusForbidden, Message: ErrForbidden.Error(),
					Internal: ErrForbidden}
			}
			return next(c)
		}
	}
}

// LoginURL is LoginPath with next (made safe by SafeNext) and, for an expired session,
// expired=1 so the form can say why it is shown.
func LoginURL(next string, expired bool) string {
	q := url.Values{"next": {SafeNext(next)}}
	if expired {
		q.Set("expired", "1")
	}
	return LoginPath + "?" + q.Encode()
}

// SafeNext returns raw if it is a path on this site ("/live?c=1"), else "/". It refuses
// anything a browser could take for another site: schemes, "//host", backslashes (which
// browsers read as slashes), control characters, and encoded forms of those.
func SafeNext(raw string) string {
	if raw == "" || len(raw) > 2048 || raw[0] != '/' || !cleanPath(raw) {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	// A proxy or framework may decode the path before it reaches a Location header.
	if !cleanPath(u.Path) {
		return "/"
	}
	return raw
}

func cleanPath(p string) bool {
	if strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return false
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
