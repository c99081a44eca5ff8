package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pexops/views"
)

// handleLiveList is the list of active conferences.
func (h *Handler) handleLiveList(c echo.Context) error {
	snap := newSnapshot(h.Poller.State())
	return ok(c, views.LivePage(views.LiveProps{
		Chrome:      h.chrome(c, "live"),
		Status:      snap.status(h.cfg.StaleAfter),
		Counters:    snap.counters(),
		Conferences: snap.conferences(),
		Now:         h.Now(),
	}))
}

// handleConference is one conference with its participants.
func (h *Handler) handleConference(c echo.Context) error {
	id := c.Param("id")
	snap := newSnapshot(h.Poller.State())
	conf, found := snap.confViews[id]
	if !found {
		return errUser(http.StatusNotFound, "This conference is not running: it may have ended. Its record will be in the call history.")
	}
	admitted, waiting := snap.participants(id)
	return ok(c, views.ConferencePage(views.ConferenceProps{
		Chrome:       h.chrome(c, "live"),
		Status:       snap.status(h.cfg.StaleAfter),
		Conference:   conf,
		Participants: admitted,
		Waiting:      waiting,
		Now:          h.Now(),
	}))
}
