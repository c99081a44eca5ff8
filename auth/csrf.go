package auth

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"
)

// CSRF header and form field names. htmx sends the header on every verb once the page sets
// hx-headers; plain HTML forms carry the hidden field.
const (
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "_csrf"
)

// CSRFMessage is what the console shows for a refused token: almost always a session that
// ended while the page stayed open.
const CSRFMessage = "Your session has expired — reload the page"

// ErrCSRF matches every *CSRFError with errors.Is.
var ErrCSRF = errors.New("csrf check failed")

// CSRFError is why an unsafe request was refused. The CSRF middleware returns it inside an
// *echo.HTTPError with status 403 and CSRFMessage, so errors.As finds it through Echo's error.
type CSRFError struct {
	Reason string // "no session", "missing token" or "wrong token"
}

// Error names the reason; it never contains the token.
func (e *CSRFError) Error() string { return "csrf check failed: " + e.Reason }

// Is makes errors.Is(err, ErrCSRF) true.
func (e *CSRFError) Is(target error) bool { return target == ErrCSRF }

// CSRF refuses every request with an unsafe method (anything but GET, HEAD, OPTIONS and
// TRACE) unless it carries the session's token in the X-CSRF-Token header or in a _csrf field
// of a urlencoded or multipart body. It must run after RequireSession.
//
// NOTE: the token is never taken from the query string, so a form that would put it in a URL
// fails loudly instead of leaking it into logs and browser history. Go does not parse bodies of
// DELETE requests, so DELETE needs the header. The browser's Sec-Fetch-Site is deliberately not
// trusted as a shortcut: every unsafe request is checked, from browsers and scripts alike.
func CSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if safeMethod(c.Request().Method) {
				return next(c)
			}
			if reason := csrfProblem(c); reason != "" {
				return &echo.HTTPError{
					Code:     http.StatusForbidden,
					Message:  CSRFMessage,
					Internal: &CSRFError{Reason: reason},
				}
			}
			return next(c)
		}
	}
}

func csrfProblem(c echo.Context) string {
	sess, ok := FromContext(c)
	if !ok || sess.CSRFToken == "" {
		return "no session"
	}
	r := c.Request()
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	if got == "" {
		return "missing token"
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRFToken)) != 1 {
		return "wrong token"
	}
	return ""
}

func safeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// CSRFToken returns the token for the page's hx-headers and hidden form fields: the session's,
// or on the login form the one LoginCSRF issued; "" when there is neither.
func CSRFToken(c echo.Context) string {
	if sess, ok := FromContext(c); ok {
		return sess.CSRFToken
	}
	token, _ := c.Get(ctxLoginToken).(string)
	return token
}
