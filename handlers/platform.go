package handlers

import (
	"github.com/labstack/echo/v4"

	"pexops/views"
)

// platformRoutes is the platform page, for every signed-in role.
func (h *Handler) platformRoutes(s *echo.Group) {
	s.GET("/platform", h.handlePlatform)
}

// handlePlatform shows the Conferencing Nodes, locations, alarms and licences from the live
// state; its socket keeps them current.
func (h *Handler) handlePlatform(c echo.Context) error {
	snap := newSnapshot(h.Poller.State())
	ch := h.chrome(c, "platform")
	ch.Title = "Platform"
	return ok(c, views.PlatformPage(views.PlatformProps{
		Chrome:   ch,
		Status:   snap.status(h.cfg.StaleAfter),
		Platform: snap.platform(),
		Now:      h.Now(),
	}))
}
