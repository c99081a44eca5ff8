// Package handlers is the console's HTTP layer: the Echo route table, one file per area,
// the websocket endpoint and the broadcaster that renders live deltas for it.
//
// Handlers turn Pexip types into view models and return errors; handleError is the one place
// that logs them and renders a page or an htmx fragment. The browser never sees a raw upstream
// body or a Go error string. This package may import pexip, live, auth, views and static;
// nothing imports it but main and the tests.
package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"pexops/auth"
	"pexops/live"
	"pexops/pexip"
	"pexops/static"
	"pexops/views"
)

// Config is what the handlers need to know about the deployment.
type Config struct {
	// Demo is true when pexops runs on its built-in simulator.
	Demo bool
	// AllowedOrigins are extra browser origins ("https://console.example.com") allowed to open
	// websockets, for deployments behind a proxy that rewrites Host. The console's own origin
	// is always allowed.
	AllowedOrigins []string
	// StaleAfter is how old live data may be before pages call it old.
	StaleAfter time.Duration
	// CommandTimeout bounds one command sent to the Management Node.
	CommandTimeout time.Duration
}

// Deps are the handlers' collaborators, built by main.
type Deps struct {
	Log      *slog.Logger
	Pexip    *pexip.Client
	Poller   *live.Poller
	Hub      *live.Hub
	Metrics  *live.Metrics
	Registry *prometheus.Registry
	Users    *auth.Users
	Sessions *auth.Sessions
	Audit    *auth.Audit
	Boards   *auth.BoardTokens
	Assets   *static.Assets
	Now      func() time.Time
}

// Handler serves every page, fragment and socket of the console.
type Handler struct {
	Deps
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	sockets map[*socket]struct{}
	closing bool
	locks   targetLocks
	schemas schemaCache // configuration schemas, read once per process (services area)
	svc     svcState    // the services area's fingerprint key and read budget (zero value ready)
}

// New returns a Handler. Call Routes for the Echo instance and Broadcaster for the renderer
// that must run alongside it.
func New(d Deps, cfg Config) *Handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = 15 * time.Second
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = 15 * time.Second
	}
	return &Handler{
		Deps:    d,
		cfg:     cfg,
		log:     d.Log,
		sockets: map[*socket]struct{}{},
	}
}

// Broadcaster returns the renderer that feeds the hub from the poller's batches.
func (h *Handler) Broadcaster() *Broadcaster {
	return &Broadcaster{hub: h.Hub, log: h.log, now: h.Now, staleAfter: h.cfg.StaleAfter,
		state: h.Poller.State, statusEvery: 2 * time.Second}
}

// chrome is the layout's input for the signed-in user of c (if any).
func (h *Handler) chrome(c echo.Context, active string) views.Chrome {
	ch := views.Chrome{Active: active, Asset: h.Assets.Path, ServerNow: h.Now(), Demo: h.cfg.Demo,
		CSRF: auth.CSRFToken(c)}
	if s, ok := auth.FromContext(c); ok {
		ch.User = s.Username
		ch.Role = s.Role.String()
		ch.CSRF = s.CSRFToken
		ch.CanModerate = s.Role.Allows(auth.RoleOperator)
		ch.CanConfigure = s.Role.Allows(auth.RoleAdmin)
	}
	if auditFailed(c) {
		ch.Flash = &views.Flash{Kind: "error", Text: auditFailedText}
	}
	return ch
}

// titled is chrome with the page's title set.
func (h *Handler) titled(c echo.Context, active, title string) views.Chrome {
	ch := h.chrome(c, active)
	ch.Title = title
	return ch
}

// render writes a templ component as the response.
func render(c echo.Context, status int, comp templ.Component) error {
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	c.Response().WriteHeader(status)
	return comp.Render(c.Request().Context(), c.Response().Writer)
}

func ok(c echo.Context, comp templ.Component) error { return render(c, http.StatusOK, comp) }

func itoa(n int) string { return strconv.Itoa(n) }

// Shutdown closes every websocket with a code the pages reconnect on (1012, service restart):
// http.Server.Shutdown does not wait for hijacked connections.
func (h *Handler) Shutdown(ctx context.Context) {
	h.mu.Lock()
	h.closing = true
	socks := make([]*socket, 0, len(h.sockets))
	for s := range h.sockets {
		socks = append(socks, s)
	}
	h.mu.Unlock()
	for _, s := range socks {
		s.close(statusServiceRestart, "pexops is restarting")
	}
}
