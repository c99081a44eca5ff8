package auth_test

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/auth"
)

// Example shows how the console wires the package: one store, the guards on the route groups,
// and the websocket handler tying its socket to the session.
func Example() {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)

	store, err := auth.Open(ctx, auth.StoreConfig{Path: "/var/lib/pexops/pexops.db", Logger: log})
	if err != nil {
		return
	}
	defer store.Close()
	users, err := auth.NewUsers(auth.UsersConfig{File: "/etc/pexops/accounts", Logger: log})
	if err != nil {
		return
	}
	sessions, err := auth.NewSessions(ctx, auth.SessionsConfig{
		Store: store, Users: users, Secure: true, Logger: log,
	})
	if err != nil {
		return
	}
	boards, audit := auth.NewBoardTokens(store), auth.NewAudit(store)

	e := echo.New()
	e.IPExtractor = echo.ExtractIPDirect() // or ExtractIPFromXFFHeader with trusted proxies

	login := e.Group("/login", sessions.LoginCSRF())
	login.POST("", func(c echo.Context) error {
		acct, err := users.Login(c.FormValue("username"), c.FormValue("password"), c.RealIP())
		if err != nil {
			return c.String(http.StatusUnauthorized, "wrong username or password")
		}
		if _, err := sessions.Start(c, acct); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, auth.SafeNext(c.FormValue("next")))
	})

	console := e.Group("", sessions.RequireSession(), auth.CSRF())
	console.POST("/logout", sessions.Logout)
	mod := console.Group("/participants", auth.RequireRole(auth.RoleOperator))
	mod.POST("/:id/mute", func(c echo.Context) error {
		sess, _ := auth.FromContext(c)
		// ... send the command, then record it before answering:
		return audit.Record(c.Request().Context(), auth.Entry{
			Account: sess.Username, Address: c.RealIP(), Action: "participant/mute",
			Target: auth.Target{ParticipantID: c.Param("id")}, OK: true,
		})
	})
	console.GET("/ws", func(c echo.Context) error {
		sess, _ := auth.FromContext(c)
		closeSocket := func() { /* conn.Close(websocket.StatusPolicyViolation, "signed out") */ }
		defer sessions.Track(sess.ID, closeSocket)()
		// ... and every few minutes: if sessions.Touch(ctx, sess.ID) != nil { closeSocket() }
		return nil
	})

	e.GET("/board", func(c echo.Context) error { return nil }, boards.Middleware(sessions))

	// Housekeeping, e.g. hourly.
	_, _ = sessions.PruneExpired(ctx)
	_, _ = audit.Prune(ctx, 365*24*time.Hour)
}
