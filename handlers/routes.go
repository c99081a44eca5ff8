package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"pexops/auth"
)

// Routes returns the console: the whole route table is here, so it reads as a list.
func (h *Handler) Routes(ip echo.IPExtractor) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = h.handleError
	e.IPExtractor = ip
	e.Use(h.requestLog, middleware.Recover(), securityHeaders, middleware.BodyLimit(maxBody))

	e.GET("/healthz", h.handleHealthz)
	e.GET("/readyz", h.handleReadyz)
	e.GET("/metrics", h.metricsHandler())
	e.GET("/static/*", echo.WrapHandler(h.Assets))
	login := e.Group("/login", h.Sessions.LoginCSRF())
	login.GET("", h.handleLoginForm)
	login.POST("", h.handleLogin)

	s := e.Group("", h.Sessions.RequireSession(), auth.CSRF())
	s.GET("/", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/live") })
	s.POST("/logout", h.handleLogout)
	op := s.Group("", auth.RequireRole(auth.RoleOperator))
	adm := s.Group("", auth.RequireRole(auth.RoleAdmin))

	// Each area lists its own routes in its own file, by role.
	h.liveRoutes(s)
	h.moderationRoutes(op)
	h.serviceRoutes(s, adm)
	h.platformRoutes(s)
	h.historyRoutes(s)
	h.auditRoutes(adm)
	h.boardRoutes(e)

	e.RouteNotFound("/*", func(c echo.Context) error { return echo.ErrNotFound })
	return e
}

// maxBody bounds every request body, read before any check that needs it (CSRF reads form
// fields), so nobody can make the console read or spool an unbounded upload.
const maxBody = "4M"

// requestLog writes one line per request. It logs the path without the query string, so a
// board token or a search never lands in the log.
func (h *Handler) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		id := requestID()
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		attrs := []any{
			"method", c.Request().Method,
			"path", c.Request().URL.Path,
			"status", c.Response().Status,
			"duration", time.Since(start),
			"request_id", id,
		}
		if s, ok := auth.FromContext(c); ok {
			attrs = append(attrs, "user", s.Username)
		}
		h.log.Debug("request", attrs...)
		return nil
	}
}

func requestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// securityHeaders keeps the console's pages from being framed or running foreign scripts.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}
