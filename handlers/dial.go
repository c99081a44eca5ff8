package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// dialOnce is how long a dial form's one-time token is remembered: a second submit of the
// same form in that time (a double click, a reload of the answer) never dials again.
const dialOnce = 10 * time.Minute

var (
	dialProtocols = []string{"sip", "h323", "mssip", "rtmp", "gms", "teams"}
	dialCallTypes = []string{"video", "audio", "video-only"}
	dialRoles     = []string{"guest", "chair"}
)

// dialRoutes are the dial-out form and the page that waits for a dialled call to answer.
func (h *Handler) dialRoutes(op *echo.Group) {
	op.GET("/dial", h.handleDialForm)
	op.POST("/dial", h.handleDial)
	op.GET("/live/participants/:id", h.handleParticipantWait)
}

// handleDialForm shows the dial-out form, prefilled with a conference's first alias when it
// is opened from a conference page.
func (h *Handler) handleDialForm(c echo.Context) error {
	f := views.DialForm{Protocol: "sip", CallType: "video", Role: "guest", Nonce: newNonce()}
	if id := c.QueryParam("conference"); id != "" {
		if conf, found := h.Poller.State().Conferences[id]; found {
			f.ConferenceID, f.ConferenceName = conf.ID, conf.Name
			f.Alias = h.firstAlias(c.Request().Context(), conf.Name)
		}
	}
	return h.dialPage(c, http.StatusOK, f)
}

// firstAlias looks up a service's first alias; the form is still usable without it.
func (h *Handler) firstAlias(ctx context.Context, service string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	page, err := h.Pexip.Services(ctx, url.Values{"name": {service}, "limit": {"1"}})
	if err != nil {
		h.log.Info("dial form: look up aliases", "error", err)
		return ""
	}
	if len(page.Objects) > 0 && len(page.Objects[0].Aliases) > 0 {
		return page.Objects[0].Aliases[0].Alias
	}
	return ""
}

func (h *Handler) dialPage(c echo.Context, status int, f views.DialForm) error {
	props := views.DialProps{Chrome: h.chrome(c, "live"), Form: f, Protocols: dialProtocols,
		CallTypes: dialCallTypes, Roles: dialRoles}
	props.Chrome.Title = "Dial out"
	for _, l := range h.Poller.State().Locations {
		props.Locations = append(props.Locations, l.Name)
	}
	return render(c, status, views.DialPage(props))
}

// readDialForm reads the form and checks it against the guide's rules; Errors is empty when
// it may be sent.
func readDialForm(c echo.Context) views.DialForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := views.DialForm{ConferenceID: v("conference"), ConferenceName: v("conference_name"),
		Alias: v("alias"), Destination: v("destination"), Protocol: v("protocol"),
		CallType: v("call_type"), Role: v("role"), Location: v("location"), Node: v("node"),
		DisplayName: v("display_name"), Nonce: v("nonce"), Errors: map[string]string{}}
	required := func(field, val, what string) {
		switch {
		case val == "":
			f.Errors[field] = "Give the " + what + "."
		case len(val) > 250:
			f.Errors[field] = "At most 250 characters."
		}
	}
	required("alias", f.Alias, "alias of the conference to dial into")
	required("destination", f.Destination, "address to call")
	oneOf := func(field, val string, allowed []string) {
		for _, a := range allowed {
			if val == a {
				return
			}
		}
		f.Errors[field] = "Choose one of the listed values."
	}
	oneOf("protocol", f.Protocol, dialProtocols)
	oneOf("call_type", f.CallType, dialCallTypes)
	oneOf("role", f.Role, dialRoles)
	switch {
	case f.Node == "" && f.Location == "":
		f.Errors["node"] = "Give a system location or the IP address of a Conferencing Node to call from."
	case f.Node != "":
		if _, err := netip.ParseAddr(f.Node); err != nil {
			f.Errors["node"] = "The node must be an IP address (such as 10.0.0.5), not a name."
		}
	}
	if len(f.DisplayName) > 250 {
		f.Errors["display_name"] = "At most 250 characters."
	}
	return f
}

// handleDial places a call once per form: a second submit of the same form is refused, and a
// failed or unanswered dial is never repeated by pexops.
func (h *Handler) handleDial(c echo.Context) error {
	f := readDialForm(c)
	if len(f.Errors) > 0 {
		f.Error = "Check the highlighted fields; nothing was dialled."
		return h.dialPage(c, http.StatusUnprocessableEntity, f)
	}
	if f.Nonce == "" || len(f.Nonce) > 64 {
		f.Nonce, f.Error = newNonce(), "This form is out of date; check it and send it again."
		return h.dialPage(c, http.StatusUnprocessableEntity, f)
	}
	locks := h.commandLocks()
	key := "dial:" + f.Nonce
	l := locks.lock(key)
	defer locks.release(key, l)
	if l.last != "" && time.Now().Before(l.until) {
		return h.dialAnswered(c, f, l.last)
	}

	pid, err := h.dial(c, f)
	if err != nil && !errors.Is(err, pexip.ErrNoParticipantID) {
		return h.dialFailed(c, f, err)
	}
	l.last, l.until = "sent", time.Now().Add(dialOnce)
	if pid != "" {
		l.last = pid
	}
	return h.dialAnswered(c, f, l.last)
}

// dial sends the command, records it and asks the poller to look for the new call a few
// times while it rings, so it shows up without waiting for the regular poll.
func (h *Handler) dial(c echo.Context, f views.DialForm) (string, error) {
	req := pexip.DialRequest{ConferenceAlias: f.Alias, Destination: f.Destination, Protocol: f.Protocol,
		CallType: f.CallType, Role: f.Role, RemoteDisplayName: f.DisplayName}
	sent := []string{"conference_alias", "destination", "protocol", "call_type", "role"}
	if f.Node != "" {
		req.Node, sent = f.Node, append(sent, "node")
	} else {
		req.SystemLocation, sent = f.Location, append(sent, "system_location")
	}
	if f.DisplayName != "" {
		sent = append(sent, "remote_display_name")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), h.cfg.CommandTimeout)
	pid, err := h.Pexip.Dial(ctx, req)
	cancel()

	conference := firstNonEmpty(f.ConferenceName, f.Alias)
	t := commandTarget{kind: "dial", id: pid, name: firstNonEmpty(f.DisplayName, f.Destination), conference: conference}
	in := actionInput{alias: f.Alias, role: f.Role, dest: f.Destination, sent: sent}
	if aerr := h.recordCommand(c, "participant/dial", in, t, err); aerr != nil {
		h.log.Error("audit record failed", "error", aerr, "resource", "participant/dial")
		return pid, errUser(http.StatusInternalServerError, "The call was dialled, but pexops could not record it in the audit trail.")
	}
	for _, after := range []time.Duration{0, 1500 * time.Millisecond, 3 * time.Second, 5 * time.Second} {
		target := live.Target{Conference: f.ConferenceName}
		if after == 0 {
			h.Poller.Refresh(target)
			continue
		}
		time.AfterFunc(after, func() { h.Poller.Refresh(target) })
	}
	return pid, err
}

// dialFailed shows the form again with what went wrong, and a fresh token: sending it again
// is the operator's decision, after reading whether the call may be up already.
func (h *Handler) dialFailed(c echo.Context, f views.DialForm, err error) error {
	var ue *userError
	if errors.As(err, &ue) {
		return err
	}
	var ae *pexip.APIError
	if errors.As(err, &ae) && ae.Status < 500 {
		for field, msgs := range ae.Fields {
			if len(msgs) > 0 {
				f.Errors[dialFormField(field)] = msgs[0]
			}
		}
	}
	status, text := commandFailure(err)
	if uncertain(err) {
		text += " Check the conference before dialling again: the call may be ringing."
	}
	f.Error, f.Nonce = text, newNonce()
	if status < 500 || len(f.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.dialPage(c, status, f)
}

// dialFormField maps a dial command field to the form's field.
func dialFormField(field string) string {
	switch field {
	case "conference_alias":
		return "alias"
	case "system_location":
		return "location"
	case "remote_display_name":
		return "display_name"
	case "node", "destination", "protocol", "role", "call_type":
		return field
	}
	return "node" // __all__: node or location
}

// dialAnswered sends the operator to where the new call will show, highlighted.
func (h *Handler) dialAnswered(c echo.Context, f views.DialForm, pid string) error {
	if pid == "" || pid == "sent" {
		if f.ConferenceID != "" {
			return c.Redirect(http.StatusSeeOther, "/live/conferences/"+url.PathEscape(f.ConferenceID))
		}
		return c.Redirect(http.StatusSeeOther, "/live")
	}
	if conf, found := h.Poller.State().Conferences[f.ConferenceID]; found {
		return c.Redirect(http.StatusSeeOther, "/live/conferences/"+url.PathEscape(conf.ID)+"?highlight="+url.QueryEscape(pid))
	}
	since := strconv.FormatInt(h.Now().UnixMilli(), 10)
	return c.Redirect(http.StatusSeeOther, "/live/participants/"+url.PathEscape(pid)+"?since="+since)
}

// handleParticipantWait sends the browser to a participant's conference, with the row
// highlighted, or waits for a dialled call to answer.
func (h *Handler) handleParticipantWait(c echo.Context) error {
	id := strings.TrimSpace(c.Param("id"))
	st := h.Poller.State()
	if p, found := st.Participants[id]; found {
		if conf, ok := st.ConferenceByName(p.Conference); ok {
			return c.Redirect(http.StatusSeeOther, "/live/conferences/"+url.PathEscape(conf.ID)+"?highlight="+url.QueryEscape(id))
		}
	}
	ch := h.chrome(c, "live")
	ch.Title = "Calling"
	since, _ := strconv.ParseInt(c.QueryParam("since"), 10, 64)
	return ok(c, views.DialWaitPage(ch, id, since))
}

func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
