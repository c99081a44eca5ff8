package handlers

import (
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/auth"
)

// recordCommand writes a command to the audit trail before the operator gets an answer:
// who, from where, which command with which fields, on what, and what Pexip answered.
func (h *Handler) recordCommand(c echo.Context, action string, in actionInput, t commandTarget, err error) error {
	e := h.auditEntry(c, action, err)
	switch t.kind {
	case "participant":
		e.Fields = in.fields("participant_id")
		e.Target = auth.Target{ParticipantID: t.id, ParticipantName: t.name, ConferenceName: t.conference}
		if conf, ok := h.conferenceByName(t.conference); ok {
			e.Target.ConferenceID = conf
		}
	case "conference":
		e.Fields = []string{"conference_id"}
		e.Target = auth.Target{ConferenceID: t.id, ConferenceName: t.name}
	case "dial":
		e.Fields = in.sent
		e.Target = auth.Target{ParticipantID: t.id, ParticipantName: t.name, ConferenceName: t.conference}
	}
	if note := in.note(); note != "" {
		e.Message = strings.TrimSuffix(note+"; "+e.Message, "; ")
	}
	return h.Audit.Record(c.Request().Context(), e)
}

// recordChange writes a configuration change to the audit trail: which fields, never their
// values (PINs are secrets).
func (h *Handler) recordChange(c echo.Context, verb, resource, id, name string, fields map[string]any, err error) {
	e := h.auditEntry(c, "configuration/"+verb, err)
	e.Resource = strings.TrimPrefix(resource, "configuration/v1/")
	for k := range fields {
		e.Fields = append(e.Fields, k)
	}
	sort.Strings(e.Fields)
	e.Target = auth.Target{ServiceID: id, ServiceName: name}
	if aerr := h.Audit.Record(c.Request().Context(), e); aerr != nil {
		h.log.Error("audit record failed", "error", aerr, "resource", resource)
	}
}

func (h *Handler) auditEntry(c echo.Context, action string, err error) auth.Entry {
	e := auth.Entry{Action: action, Address: c.RealIP(), OK: err == nil}
	if s, ok := auth.FromContext(c); ok {
		e.Account = s.Username
	}
	if err != nil {
		_, e.Message = commandFailure(err)
	}
	return e
}

func (h *Handler) conferenceByName(name string) (string, bool) {
	for id, c := range h.Poller.State().Conferences {
		if c.Name == name {
			return id, true
		}
	}
	return "", false
}

func (h *Handler) commandLocks() *targetLocks { return &h.locks }
