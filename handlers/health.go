package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// handleHealthz says the process is up.
func (h *Handler) handleHealthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// handleReadyz is ready once the first poll succeeded, and not while the Management Node is
// unreachable.
func (h *Handler) handleReadyz(c echo.Context) error {
	st := h.Poller.State()
	switch {
	case !h.Poller.Ready():
		return c.String(http.StatusServiceUnavailable, "waiting for the first poll of the Management Node\n")
	case st.Stale:
		return c.String(http.StatusServiceUnavailable, "Management Node unreachable: "+st.LastError+"\n")
	}
	return c.String(http.StatusOK, "ready\n")
}

func (h *Handler) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(h.Registry, promhttp.HandlerOpts{}))
}
