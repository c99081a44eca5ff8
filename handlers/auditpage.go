package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/views"
)

const (
	auditPageSize = 50
	// auditCSVMax bounds one export; a narrower filter exports the rest.
	auditCSVMax = 100_000
)

// auditActions are the actions the filter offers; any action may still be typed in the URL.
var auditActions = []string{
	"participant/mute", "participant/unmute", "participant/unlock", "participant/disconnect",
	"participant/role", "participant/transfer", "participant/dial",
	"conference/lock", "conference/unlock", "conference/mute_guests", "conference/unmute_guests",
	"conference/disconnect", "configuration/create", "configuration/update", "configuration/delete",
}

// auditRoutes are the audit trail's page and its CSV export, for admins.
func (h *Handler) auditRoutes(adm *echo.Group) {
	adm.GET("/audit", h.handleAuditList)
	adm.GET("/audit.csv", h.handleAuditCSV)
}

// readAuditFilter reads the filter from the URL; the string is what the operator must fix.
func readAuditFilter(c echo.Context) (auth.Filter, views.AuditFilter, string) {
	v := func(k string) string { return strings.TrimSpace(c.QueryParam(k)) }
	form := views.AuditFilter{Account: v("account"), Target: v("target"), Action: v("action"),
		Since: v("since"), Until: v("until")}
	f := auth.Filter{Account: form.Account, Target: form.Target, Action: form.Action, Limit: auditPageSize}
	f.Offset, _ = strconv.Atoi(c.QueryParam("offset"))
	f.Offset = max(f.Offset, 0)
	form.Offset = f.Offset
	var ok1, ok2 bool
	f.Since, ok1 = parseFormTime(form.Since)
	f.Until, ok2 = parseFormTime(form.Until)
	switch {
	case !ok1 || !ok2:
		return f, form, "Times are read as UTC in the form 2026-01-31 14:00 (or with seconds)."
	case !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since):
		return f, form, "The end of the time range must be after its start."
	case len(form.Account) > 200 || len(form.Target) > 200 || len(form.Action) > 200:
		return f, form, "A filter value is too long (200 characters at most)."
	}
	return f, form, ""
}

// handleAuditList is the audit trail, newest first, filtered in the database.
func (h *Handler) handleAuditList(c echo.Context) error {
	f, form, msg := readAuditFilter(c)
	props := views.AuditProps{Chrome: h.chrome(c, "audit"), Filter: form, Limit: auditPageSize,
		Actions: auditActions}
	props.Chrome.Title = "Audit trail"
	if msg != "" {
		props.Error = msg
		return render(c, http.StatusBadRequest, views.AuditPage(props))
	}
	entries, total, err := h.Audit.Query(c.Request().Context(), f)
	if err != nil {
		return err
	}
	props.Total = total
	for _, e := range entries {
		props.Rows = append(props.Rows, auditRow(e))
	}
	return ok(c, views.AuditPage(props))
}

func auditRow(e auth.Entry) views.AuditRow {
	t := e.Target
	return views.AuditRow{Time: e.Time, Account: e.Account, Address: e.Address, Action: e.Action,
		Resource: e.Resource, Fields: strings.Join(e.Fields, ", "),
		ConferenceName: t.ConferenceName, ConferenceID: t.ConferenceID,
		ParticipantName: t.ParticipantName, ParticipantID: t.ParticipantID,
		ServiceName: t.ServiceName, ServiceID: t.ServiceID, OK: e.OK, Message: e.Message}
}

// handleAuditCSV exports the entries matching the filter as CSV, newest first.
func (h *Handler) handleAuditCSV(c echo.Context) error {
	f, _, msg := readAuditFilter(c)
	if msg != "" {
		return errUser(http.StatusBadRequest, msg)
	}
	ctx := c.Request().Context()
	var all []auth.Entry
	f.Offset, f.Limit = 0, auth.MaxAuditLimit
	for len(all) < auditCSVMax {
		entries, total, err := h.Audit.Query(ctx, f)
		if err != nil {
			return err
		}
		all = append(all, entries...)
		if len(entries) == 0 || len(all) >= total {
			break
		}
		f.Offset += len(entries)
	}
	name := "pexops-audit-" + h.Now().UTC().Format("20060102-150405") + ".csv"
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return auth.WriteCSV(c.Response().Writer, all)
}
