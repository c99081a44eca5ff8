package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

const (
	historyPageSize      = 25
	historyParticipantsN = 100
)

// historyRoutes are the call history pages, for every signed-in role.
func (h *Handler) historyRoutes(s *echo.Group) {
	s.GET("/history", h.handleHistoryList)
	s.GET("/history/:id", h.handleHistoryConference)
}

// historyFilter is the history list's filter as it travels in the URL.
type historyFilter struct {
	query        string
	since, until time.Time
	offset       int
}

// readHistoryFilter reads the filter; a time that cannot be read is the operator's to fix.
func readHistoryFilter(c echo.Context) (historyFilter, views.HistoryFilter, string) {
	form := views.HistoryFilter{Query: strings.TrimSpace(c.QueryParam("q")),
		Since: strings.TrimSpace(c.QueryParam("since")), Until: strings.TrimSpace(c.QueryParam("until"))}
	f := historyFilter{query: form.Query}
	f.offset, _ = strconv.Atoi(c.QueryParam("offset"))
	f.offset = max(f.offset, 0)
	var ok1, ok2 bool
	f.since, ok1 = parseFormTime(form.Since)
	f.until, ok2 = parseFormTime(form.Until)
	switch {
	case !ok1 || !ok2:
		return f, form, "Times are read as UTC in the form 2026-01-31 14:00 (or with seconds)."
	case !f.since.IsZero() && !f.until.IsZero() && !f.until.After(f.since):
		return f, form, "The end of the time range must be after its start."
	case len(form.Query) > 250:
		return f, form, "The name filter is too long (250 characters at most)."
	}
	form.Offset = f.offset
	return f, form, ""
}

// parseFormTime reads a time typed into a filter form (a datetime-local input or by hand) as
// UTC; "" is no time and fine.
func parseFormTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04",
		"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// query is the API filter: conferences that ran during the range, named like the query,
// newest first, one page.
func (f historyFilter) values() url.Values {
	q := url.Values{"limit": {itoa(historyPageSize)}, "offset": {itoa(f.offset)}, "order_by": {"-end_time"}}
	if f.query != "" {
		q.Set("name__icontains", f.query)
	}
	if !f.since.IsZero() {
		q.Set("end_time__gte", pexip.NewTime(f.since).Wire())
	}
	if !f.until.IsZero() {
		q.Set("start_time__lt", pexip.NewTime(f.until).Wire())
	}
	return q
}

// handleHistoryList lists ended conferences a page at a time, filtered by the API.
func (h *Handler) handleHistoryList(c echo.Context) error {
	f, form, msg := readHistoryFilter(c)
	props := views.HistoryProps{Chrome: h.chrome(c, "history"), Filter: form, Limit: historyPageSize}
	props.Chrome.Title = "Call history"
	if msg != "" {
		props.Error = msg
		return render(c, http.StatusBadRequest, views.HistoryPage(props))
	}
	page, err := h.Pexip.ConferenceHistory(c.Request().Context(), f.values())
	if err != nil {
		h.log.Warn("list conference history", "error", err)
		_, _, props.Error = classify(err)
		return render(c, http.StatusBadGateway, views.HistoryPage(props))
	}
	props.Total = page.Meta.TotalCount
	for _, r := range page.Objects {
		props.Rows = append(props.Rows, historyConferenceRow(r))
	}
	return ok(c, views.HistoryPage(props))
}

func historyConferenceRow(r pexip.ConferenceRecord) views.HistoryConference {
	return views.HistoryConference{ID: r.ID, Name: r.Name, ServiceType: r.ServiceType, Tag: r.Tag,
		Start: r.StartTime.Time, End: r.EndTime.Time, Duration: int(r.Duration),
		Participants: int(r.ParticipantCount)}
}

// handleHistoryConference shows one ended conference and a page of its participants, with
// their media streams as the history API nests them.
func (h *Handler) handleHistoryConference(c echo.Context) error {
	id := strings.TrimSpace(c.Param("id"))
	if id == "" || len(id) > 100 || strings.ContainsAny(id, "/?#\\%") || id == "." || id == ".." {
		return errUser(http.StatusNotFound, "There is no such conference in the call history.")
	}
	ctx := c.Request().Context()
	var rec pexip.ConferenceRecord
	if err := h.Pexip.GetObject(ctx, pexip.ResConferenceHistory, id, &rec); err != nil {
		if isNotFound(err) {
			return errUser(http.StatusNotFound, "There is no such conference in the call history: it may have been removed to make room for newer calls.")
		}
		return err
	}
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	props := views.HistoryDetailProps{Chrome: h.chrome(c, "history"), Conference: historyConferenceRow(rec),
		Offset: max(offset, 0), Limit: historyParticipantsN}
	props.Chrome.Title = rec.Name
	q := url.Values{"conference": {rec.ID}, "limit": {itoa(historyParticipantsN)},
		"offset": {itoa(props.Offset)}, "order_by": {"start_time"}}
	page, err := h.Pexip.ParticipantHistory(ctx, q)
	if err != nil {
		h.log.Warn("list participant history", "error", err, "conference_id", rec.ID)
		_, _, props.Error = classify(err)
		return render(c, http.StatusBadGateway, views.HistoryDetailPage(props))
	}
	props.Total = page.Meta.TotalCount
	for _, p := range page.Objects {
		props.Participants = append(props.Participants, historyParticipantRow(p))
	}
	return ok(c, views.HistoryDetailPage(props))
}

func historyParticipantRow(p pexip.ParticipantRecord) views.HistoryParticipant {
	r := views.HistoryParticipant{ID: p.ID, DisplayName: p.DisplayName, LocalAlias: p.LocalAlias,
		RemoteAlias: p.RemoteAlias, Protocol: p.Protocol, Role: p.Role, Direction: p.CallDirection,
		Start: p.StartTime.Time, End: p.EndTime.Time, Duration: int(p.Duration),
		DisconnectReason: p.DisconnectReason, Quality: p.CallQuality.String(), Vendor: p.Vendor,
		RemoteAddress: p.RemoteAddress, Location: p.SystemLocation}
	for _, s := range p.MediaStreams {
		r.Streams = append(r.Streams, views.HistoryStream{Type: s.StreamType, Node: s.Node,
			Start: s.StartTime.Time, End: s.EndTime.Time,
			RxCodec: s.RxCodec, RxResolution: s.RxResolution, RxBitrate: int(s.RxBitrate), RxLoss: float64(s.RxPacketLoss),
			TxCodec: s.TxCodec, TxResolution: s.TxResolution, TxBitrate: int(s.TxBitrate), TxLoss: float64(s.TxPacketLoss)})
	}
	return r
}

func isNotFound(err error) bool {
	status, _, _ := classify(err)
	return status == http.StatusNotFound
}
