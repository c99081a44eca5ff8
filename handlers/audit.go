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
		markAuditFailed(c)
	}
}

const ctxAuditFailed = "pexops.audit_failed"

// auditFailedText is shown when a change was made in Pexip but pexops could not record it:
// the audit trail is the only record of which person acted, so the operator must know.
const auditFailedText = "Your change was made in Pexip, but pexops could not record it in the audit trail. Tell the administrator of pexops."

// markAuditFailed makes the answer to this request say that the audit trail missed a change:
// a page rendered now shows it (see chrome), and a redirect carries it to the next page.
func markAuditFailed(c echo.Context) {
	if c.Get(ctxAuditFailed) != nil {
		return
	}
	c.Set(ctxAuditFailed, true)
	c.Response().Before(func() {
		loc := c.Response().Header().Get(echo.HeaderLocation)
		if loc == "" {
			return
		}
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		c.Response().Header().Set(echo.HeaderLocation, loc+sep+"audit_failed=1")
	})
}

func auditFailed(c echo.Context) bool {
	return c.Get(ctxAuditFailed) != nil || c.QueryParam("audit_failed") == "1"
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
