package auth

import (
	"crypto/subtle"
	"net/http"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
)

const (
	loginCookieSuffix = "_login"
	loginNonceKey     = "nonce"
	ctxLoginToken     = "pexops.auth.login_token"
)

// LoginCSRF guards the login form, which has no session yet: a GET gets a signed cookie holding
// a random token (CSRFToken returns it for the form's hidden _csrf field) and an unsafe request
// must send the same token back, in the field or the X-CSRF-Token header. Without it another
// site could sign a browser in to an account of its choosing. Refusals are like CSRF's.
func (s *Sessions) LoginCSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token := s.loginNonce(c.Request())
			if safeMethod(c.Request().Method) {
				if token == "" {
					token = randomToken()
					if err := s.saveLoginNonce(c.Response(), c.Request(), token); err != nil {
						return err
					}
				}
				c.Set(ctxLoginToken, token)
				return next(c)
			}
			if reason := loginCSRFProblem(c.Request(), token); reason != "" {
				return &echo.HTTPError{Code: http.StatusForbidden, Message: CSRFMessage,
					Internal: &CSRFError{Reason: reason}}
			}
			// A refused sign-in shows the form again, which needs the same token.
			c.Set(ctxLoginToken, token)
			return next(c)
		}
	}
}

func loginCSRFProblem(r *http.Request, want string) string {
	if want == "" {
		return "no login cookie"
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	switch {
	case got == "":
		return "missing token"
	case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return "wrong token"
	}
	return ""
}

func (s *Sessions) loginNonce(r *http.Request) string {
	name := s.name + loginCookieSuffix
	if _, err := r.Cookie(name); err != nil {
		return ""
	}
	cs, err := s.cookies.New(r, name)
	if err != nil {
		return ""
	}
	nonce, _ := cs.Values[loginNonceKey].(string)
	return nonce
}

func (s *Sessions) saveLoginNonce(w http.ResponseWriter, r *http.Request, nonce string) error {
	cs := sessions.NewSession(s.cookies, s.name+loginCookieSuffix)
	opts := *s.cookies.Options
	opts.MaxAge = 0 // ends with the browser session
	cs.Options = &opts
	cs.Values[loginNonceKey] = nonce
	return s.cookies.Save(r, w, cs)
}
