package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/views"
)

// handleLoginForm shows the sign-in page, or sends a signed-in user on.
func (h *Handler) handleLoginForm(c echo.Context) error {
	next := auth.SafeNext(c.QueryParam("next"))
	if _, err := h.Sessions.Load(c.Request()); err == nil {
		return c.Redirect(http.StatusSeeOther, landing(next))
	}
	p := views.LoginProps{Chrome: h.titled(c, "", "Sign in"), Next: next, DemoHint: h.cfg.Demo}
	if c.QueryParam("expired") == "1" {
		p.Error = "Your session has expired. Sign in again."
	}
	return ok(c, views.LoginPage(p))
}

// handleLogin checks the credentials and starts a fresh session.
func (h *Handler) handleLogin(c echo.Context) error {
	if !h.originAllowed(c.Request()) {
		// A sign-in posted from another site would log this browser into someone else's
		// account (login CSRF).
		return errUser(http.StatusForbidden, "Sign in from the pexops sign-in page.")
	}
	username := strings.TrimSpace(c.FormValue("username"))
	next := auth.SafeNext(c.FormValue("next"))
	if len(username) > maxLoginName || len(c.FormValue("password")) > maxLoginPassword {
		// No account has such a name: refuse without logging or echoing it.
		p := views.LoginProps{Chrome: h.titled(c, "", "Sign in"), Next: next, Error: "Wrong username or password.", DemoHint: h.cfg.Demo}
		return render(c, http.StatusUnauthorized, views.LoginPage(p))
	}
	acct, err := h.Users.Login(username, c.FormValue("password"), c.RealIP())
	if err != nil {
		status, msg := http.StatusUnauthorized, "Wrong username or password."
		var te *auth.ThrottledError
		if errors.As(err, &te) {
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. "+te.Error()+"."
		}
		h.log.Info("login failed", "user", username, "status", status)
		p := views.LoginProps{Chrome: h.titled(c, "", "Sign in"), Username: username, Next: next, Error: msg, DemoHint: h.cfg.Demo}
		return render(c, status, views.LoginPage(p))
	}
	if _, err := h.Sessions.Start(c, acct); err != nil {
		return err
	}
	h.log.Info("login", "user", acct.Username)
	return c.Redirect(http.StatusSeeOther, landing(next))
}

// handleLogout revokes the session on the server (a copied cookie stops working) and closes
// its websockets.
func (h *Handler) handleLogout(c echo.Context) error {
	if err := h.Sessions.Logout(c); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, auth.LoginPath)
}

// Sign-in fields longer than these cannot belong to an account (bcrypt reads 72 bytes).
const (
	maxLoginName     = 128
	maxLoginPassword = 1024
)

func landing(next string) string {
	if next == "/" || next == "" {
		return "/live"
	}
	return next
}
