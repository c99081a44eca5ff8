package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// command is one moderation action that takes the id of its target.
type command struct {
	name string // the Command API's name, for the audit trail
	do   func(c *pexip.Client, ctx context.Context, id string) error
}

var participantCommands = map[string]command{
	"mute":       {"participant/mute", (*pexip.Client).MuteParticipant},
	"unmute":     {"participant/unmute", (*pexip.Client).UnmuteParticipant},
	"unlock":     {"participant/unlock", (*pexip.Client).UnlockParticipant},
	"disconnect": {"participant/disconnect", (*pexip.Client).DisconnectParticipant},
}

var conferenceCommands = map[string]command{
	"lock":          {"conference/lock", (*pexip.Client).LockConference},
	"unlock":        {"conference/unlock", (*pexip.Client).UnlockConference},
	"mute_guests":   {"conference/mute_guests", (*pexip.Client).MuteGuests},
	"unmute_guests": {"conference/unmute_guests", (*pexip.Client).UnmuteGuests},
	"disconnect":    {"conference/disconnect", (*pexip.Client).DisconnectConference},
}

// targetLocks serialises commands on one target, so two quick clicks reach Pexip in the
// order they arrived and a double click sends one command.
type targetLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (t *targetLocks) lock(key string) func() {
	t.mu.Lock()
	if t.locks == nil {
		t.locks = map[string]*sync.Mutex{}
	}
	m, ok := t.locks[key]
	if !ok {
		m = &sync.Mutex{}
		t.locks[key] = m
	}
	t.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// handleParticipantCommand runs mute, unmute, admit or disconnect on one participant.
func (h *Handler) handleParticipantCommand(c echo.Context) error {
	cmd, ok := participantCommands[c.Param("action")]
	if !ok {
		return echo.ErrNotFound
	}
	id := strings.TrimSpace(c.Param("id"))
	p, found := h.Poller.State().Participants[id]
	if id == "" || !found {
		return errUser(http.StatusNotFound, "This participant is no longer in a conference.")
	}
	target := commandTarget{kind: "participant", id: id, name: p.DisplayName, conference: p.Conference}
	return h.runCommand(c, cmd, target, live.Target{Conference: p.Conference})
}

// handleConferenceCommand runs lock, unlock, mute or unmute all guests, or disconnect all.
func (h *Handler) handleConferenceCommand(c echo.Context) error {
	cmd, ok := conferenceCommands[c.Param("action")]
	if !ok {
		return echo.ErrNotFound
	}
	id := strings.TrimSpace(c.Param("id"))
	conf, found := h.Poller.State().Conferences[id]
	if id == "" || !found {
		return errUser(http.StatusNotFound, "This conference has ended.")
	}
	target := commandTarget{kind: "conference", id: id, name: conf.Name, conference: conf.Name}
	return h.runCommand(c, cmd, target, live.Target{Conference: conf.Name})
}

// commandTarget names what a command acts on, for the audit trail.
type commandTarget struct {
	kind, id, name, conference string
}

// runCommand sends one command (never retried), records it, asks the poller to re-read what
// it touched and answers with a fragment saying whether Pexip took it. The effect itself is
// confirmed when the live state shows it.
func (h *Handler) runCommand(c echo.Context, cmd command, t commandTarget, refresh live.Target) error {
	unlock := h.commandLocks().lock(t.kind + ":" + t.id)
	defer unlock()

	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.CommandTimeout)
	err := cmd.do(h.Pexip, ctx, t.id)
	cancel()
	if aerr := h.recordCommand(c, cmd.name, t, err); aerr != nil {
		h.log.Error("audit record failed", "error", aerr, "resource", cmd.name)
		return errUser(http.StatusInternalServerError, "The command was sent, but pexops could not record it in the audit trail.")
	}
	h.Poller.Refresh(refresh)
	if err != nil {
		status, text := commandFailure(err)
		return render(c, status, views.CommandResult(false, text))
	}
	return ok(c, views.CommandResult(true, "Sent — waiting for Pexip to confirm"))
}

// commandFailure turns a failed command into what the operator reads beside the button.
func commandFailure(err error) (int, string) {
	var ce *pexip.CommandError
	var ae *pexip.APIError
	switch {
	case errors.As(err, &ce):
		return http.StatusBadGateway, "Pexip refused: " + firstNonEmpty(ce.Message, ce.Status)
	case errors.Is(err, pexip.ErrNotFound):
		return http.StatusNotFound, "Pexip no longer knows this call."
	case errors.As(err, &ae) && len(ae.Fields) > 0:
		for _, msgs := range ae.Fields {
			if len(msgs) > 0 {
				return http.StatusBadGateway, "Pexip refused: " + msgs[0]
			}
		}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "Pexip did not answer in time; the command may or may not have taken effect."
	}
	status, _, msg := classify(err)
	return status, msg
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return "no reason given"
}
