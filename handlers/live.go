package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"pexops/views"
)

// liveRoutes are the live views and their websocket, for every signed-in role. A participant's
// page is /live/calls/:id, because /live/participants/... belongs to moderation and dial-out.
func (h *Handler) liveRoutes(s *echo.Group) {
	s.GET("/ws", h.wsHandler(&snapshots{}))
	s.GET("/live", h.handleLiveList)
	s.GET("/live/conferences/:id", h.handleConference)
	s.GET("/live/calls/:id", h.handleParticipant)
}

// handleLiveList is the list of active conferences.
func (h *Handler) handleLiveList(c echo.Context) error {
	snap := newSnapshot(h.Poller.State())
	ch := h.chrome(c, "live")
	ch.Title = "Live conferences"
	return ok(c, views.LivePage(views.LiveProps{
		Chrome:      ch,
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
	ch := h.chrome(c, "live")
	ch.Title = conf.Name
	return ok(c, views.ConferencePage(views.ConferenceProps{
		Chrome:       ch,
		Status:       snap.status(h.cfg.StaleAfter),
		Conference:   conf,
		Participants: admitted,
		Waiting:      waiting,
		Now:          h.Now(),
	}))
}

// handleParticipant is one participant's call with its media streams. The streams are read
// from the Management Node only while the page's socket is open (Poller.Watch), so the first
// paint may not have them yet.
func (h *Handler) handleParticipant(c echo.Context) error {
	snap := newSnapshot(h.Poller.State())
	d, found := snap.detail(c.Param("id"), nil)
	if !found {
		return errUser(http.StatusNotFound, "This participant is not in a call any more. Its record will be in the call history.")
	}
	ch := h.chrome(c, "live")
	ch.Title = d.Participant.DisplayName
	return ok(c, views.ParticipantPage(views.ParticipantProps{
		Chrome: ch,
		Status: snap.status(h.cfg.StaleAfter),
		Detail: d,
		Now:    h.Now(),
	}))
}
