package handlers

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// action is one moderation action of the Command API. Everything about an action that the
// handlers, the audit trail and the page's feedback need is in one row of a table below.
type action struct {
	command string // the Command API's name, for the audit trail: "participant/mute"
	// run sends the command; in holds the request's form values (role, alias).
	run func(ctx context.Context, c *pexip.Client, id string, in actionInput) error
	// expect is the row or head attribute that shows the effect once the live state has it:
	// "data-muted=true", or "gone" for a row that must disappear.
	expect func(in actionInput) string
	verb   string // what the operator reads: "Mute"
	done   string // what the operator reads once it is confirmed: "Muted"
}

// actionInput are the parameters some actions take from the form, already checked.
type actionInput struct {
	role  string   // chair or guest (role, transfer, dial)
	alias string   // transfer target
	dest  string   // dial destination
	sent  []string // dial: the fields sent, for the audit trail
}

// note is what the audit trail keeps of an action's parameters (none of them secret).
func (in actionInput) note() string {
	var parts []string
	if in.dest != "" {
		parts = append(parts, "dial "+in.dest)
	}
	if in.alias != "" {
		parts = append(parts, "to "+in.alias)
	}
	if in.role != "" {
		parts = append(parts, "role "+in.role)
	}
	return strings.Join(parts, ", ")
}

func (in actionInput) fields(idField string) []string {
	if in.sent != nil {
		return in.sent
	}
	f := []string{idField}
	if in.alias != "" {
		f = append(f, "conference_alias")
	}
	if in.role != "" {
		f = append(f, "role")
	}
	return f
}

func simple(do func(*pexip.Client, context.Context, string) error) func(context.Context, *pexip.Client, string, actionInput) error {
	return func(ctx context.Context, c *pexip.Client, id string, _ actionInput) error { return do(c, ctx, id) }
}

func expectAttr(s string) func(actionInput) string { return func(actionInput) string { return s } }

var participantActions = map[string]action{
	"mute": {"participant/mute", simple((*pexip.Client).MuteParticipant),
		expectAttr("data-muted=true"), "Mute", "Muted"},
	"unmute": {"participant/unmute", simple((*pexip.Client).UnmuteParticipant),
		expectAttr("data-muted=false"), "Unmute", "Unmuted"},
	"unlock": {"participant/unlock", simple((*pexip.Client).UnlockParticipant),
		expectAttr("data-waiting=false"), "Admit", "Admitted"},
	"disconnect": {"participant/disconnect", simple((*pexip.Client).DisconnectParticipant),
		expectAttr("gone"), "Disconnect", "Disconnected"},
	"role": {"participant/role",
		func(ctx context.Context, c *pexip.Client, id string, in actionInput) error {
			return c.SetParticipantRole(ctx, id, in.role)
		},
		func(in actionInput) string { return "data-role=" + in.role }, "Change role", "Role changed"},
	"transfer": {"participant/transfer",
		func(ctx context.Context, c *pexip.Client, id string, in actionInput) error {
			return c.TransferParticipant(ctx, id, in.alias, in.role)
		},
		expectAttr("gone"), "Transfer", "Transferred"},
}

var conferenceActions = map[string]action{
	"lock": {"conference/lock", simple((*pexip.Client).LockConference),
		expectAttr("data-locked=true"), "Lock", "Locked"},
	"unlock": {"conference/unlock", simple((*pexip.Client).UnlockConference),
		expectAttr("data-locked=false"), "Unlock", "Unlocked"},
	"mute_guests": {"conference/mute_guests", simple((*pexip.Client).MuteGuests),
		expectAttr("data-guests-muted=true"), "Mute all guests", "Guests muted"},
	"unmute_guests": {"conference/unmute_guests", simple((*pexip.Client).UnmuteGuests),
		expectAttr("data-guests-muted=false"), "Unmute all guests", "Guests unmuted"},
	"disconnect": {"conference/disconnect", simple((*pexip.Client).DisconnectConference),
		expectAttr("data-test=conference-ended"), "Disconnect everyone", "Everyone disconnected"},
}

// dedupeWindow is how long after a command the same command on the same target is answered
// without sending it again: a double click, or a second tab's identical click.
const dedupeWindow = time.Second

// targetLocks serialises commands on one target, so two quick clicks reach Pexip in the
// order they arrived, and remembers the last command on each target so that a double click
// sends one command.
type targetLocks struct {
	mu    sync.Mutex
	locks map[string]*targetLock
}

type targetLock struct {
	mu   sync.Mutex
	refs int // holders and waiters, under targetLocks.mu
	// last is the last command sent on the target; an identical one is not sent again until
	// until. Both under mu.
	last  string
	until time.Time
}

// lock waits for the target's turn and returns it; call release when done.
func (t *targetLocks) lock(key string) *targetLock {
	t.mu.Lock()
	if t.locks == nil {
		t.locks = map[string]*targetLock{}
	}
	l, ok := t.locks[key]
	if !ok {
		l = &targetLock{}
		t.locks[key] = l
	}
	l.refs++
	t.mu.Unlock()
	l.mu.Lock()
	return l
}

// release hands the target to the next waiter; a target nobody waits for is forgotten once
// its dedupe window is over, so the map does not grow with every participant ever seen.
func (t *targetLocks) release(key string, l *targetLock) {
	l.mu.Unlock()
	t.mu.Lock()
	defer t.mu.Unlock()
	l.refs--
	if len(t.locks) < 256 {
		return
	}
	now := time.Now()
	for k, v := range t.locks {
		if v.refs == 0 && k != key && v.mu.TryLock() {
			if v.until.Before(now) {
				delete(t.locks, k)
			}
			v.mu.Unlock()
		}
	}
}

// moderationRoutes are the conference-control commands, for operators and admins. The GET
// routes are the confirmation dialogs of the destructive ones.
func (h *Handler) moderationRoutes(op *echo.Group) {
	op.GET("/live/participants/:id/:action", h.handleParticipantConfirm)
	op.POST("/live/participants/:id/:action", h.handleParticipantCommand)
	op.GET("/live/conferences/:id/bulk", h.handleBulkConfirm)
	op.POST("/live/conferences/:id/bulk", h.handleBulkCommand)
	op.GET("/live/conferences/:id/:action", h.handleConferenceConfirm)
	op.POST("/live/conferences/:id/:action", h.handleConferenceCommand)
	h.dialRoutes(op)
}

// handleParticipantCommand runs mute, unmute, admit, role, transfer or disconnect on one
// participant.
func (h *Handler) handleParticipantCommand(c echo.Context) error {
	name := c.Param("action")
	act, ok := participantActions[name]
	if !ok {
		return echo.ErrNotFound
	}
	p, err := h.liveParticipant(c.Param("id"))
	if err != nil {
		return err
	}
	in, verr := participantInput(c, name)
	if verr != "" {
		if name == "transfer" {
			return render(c, http.StatusUnprocessableEntity, views.TransferDialog(transferProps(p, c.FormValue("alias"), c.FormValue("role"), verr)))
		}
		return render(c, http.StatusUnprocessableEntity, views.CommandResult(views.CommandOutcome{Kind: views.OutcomeInvalid, Text: verr}))
	}
	t := commandTarget{kind: "participant", id: p.ID, name: p.DisplayName, conference: p.Conference}
	refresh := []live.Target{{Conference: p.Conference}}
	if name == "transfer" {
		refresh = append(refresh, live.Target{}) // the target conference, whatever its name
	}
	o := h.runCommand(c, act, in, t, refresh...)
	return render(c, o.status, views.CommandResult(o.CommandOutcome))
}

// participantInput reads and checks the parameters of role and transfer; the second result
// is what the operator must fix, empty when the input is fine.
func participantInput(c echo.Context, name string) (actionInput, string) {
	role := strings.TrimSpace(c.FormValue("role"))
	switch name {
	case "role":
		if role != "chair" && role != "guest" {
			return actionInput{}, "Choose host or guest."
		}
		return actionInput{role: role}, ""
	case "transfer":
		alias := strings.TrimSpace(c.FormValue("alias"))
		if alias == "" {
			return actionInput{}, "Give the alias of the conference to transfer to."
		}
		if len(alias) > 250 {
			return actionInput{}, "That alias is too long (250 characters at most)."
		}
		if role != "" && role != "chair" && role != "guest" {
			return actionInput{}, "Choose host, guest or keep the current role."
		}
		return actionInput{role: role, alias: alias}, ""
	}
	return actionInput{}, ""
}

// handleConferenceCommand runs lock, unlock, mute or unmute all guests, or disconnect all.
// Disconnecting everyone needs the conference's name typed into its dialog.
func (h *Handler) handleConferenceCommand(c echo.Context) error {
	name := c.Param("action")
	act, ok := conferenceActions[name]
	if !ok {
		return echo.ErrNotFound
	}
	conf, err := h.liveConference(c.Param("id"))
	if err != nil {
		return err
	}
	if name == "disconnect" && strings.TrimSpace(c.FormValue("confirm_name")) != strings.TrimSpace(conf.Name) {
		props := h.disconnectAllProps(conf)
		props.Typed = c.FormValue("confirm_name")
		props.Error = "The name you typed is not this conference's name; nobody was disconnected."
		return render(c, http.StatusUnprocessableEntity, views.DisconnectAllDialog(props))
	}
	t := commandTarget{kind: "conference", id: conf.ID, name: conf.Name, conference: conf.Name}
	o := h.runCommand(c, act, actionInput{}, t, live.Target{Conference: conf.Name})
	return render(c, o.status, views.CommandResult(o.CommandOutcome))
}

// liveParticipant finds a participant in the live state. A participant pexops does not know
// is refused before anything is sent: the id came from a page, and the call may have ended.
func (h *Handler) liveParticipant(id string) (pexip.Participant, error) {
	id = strings.TrimSpace(id)
	p, found := h.Poller.State().Participants[id]
	if id == "" || !found {
		return p, errUser(http.StatusNotFound, "This participant is no longer in a conference.")
	}
	return p, nil
}

func (h *Handler) liveConference(id string) (pexip.Conference, error) {
	id = strings.TrimSpace(id)
	conf, found := h.Poller.State().Conferences[id]
	if id == "" || !found {
		return conf, errUser(http.StatusNotFound, "This conference has ended.")
	}
	return conf, nil
}

// commandTarget names what a command acts on, for the audit trail and the page.
type commandTarget struct {
	kind, id, name, conference string
}

// statusKey is the key the page's script tracks a target's command under; it is also the id
// of the target's status element.
func (t commandTarget) statusKey() string {
	if t.kind == "conference" {
		return views.DomID("cc", t.id)
	}
	return views.DomID("pc", t.id)
}

// expectElement is the DOM id of the element whose data-* state shows the effect.
func (t commandTarget) expectElement() string {
	if t.kind == "conference" {
		return "conf-head"
	}
	return views.DomID("p", t.id)
}

// outcome is a command's answer: what the page shows and the HTTP status it is sent with.
type outcome struct {
	views.CommandOutcome
	status int
}

// runCommand sends one command (never retried), records it before answering, asks the poller
// to re-read what it touched and says whether Pexip took it. The effect itself is confirmed
// by the page when the live state shows it.
func (h *Handler) runCommand(c echo.Context, act action, in actionInput, t commandTarget, refresh ...live.Target) outcome {
	o := outcome{CommandOutcome: views.CommandOutcome{Key: t.statusKey(), Element: t.expectElement(),
		Expect: act.expect(in), Done: act.done, Name: t.name}}
	key := act.command + "|" + in.note()
	locks := h.commandLocks()
	lk := t.kind + ":" + t.id
	l := locks.lock(lk)
	defer locks.release(lk, l)
	if l.last == key && time.Now().Before(l.until) {
		h.log.Debug("duplicate command not sent", "resource", act.command, "participant_id", t.id)
		o.Kind, o.Text, o.status = views.OutcomeSent, act.verb+" was already sent a moment ago — waiting for Pexip to confirm", http.StatusOK
		return o
	}

	// A browser that hangs up does not cancel a command already on its way: the audit trail
	// must say what really happened.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), h.cfg.CommandTimeout)
	err := act.run(ctx, h.Pexip, t.id, in)
	cancel()
	l.last, l.until = key, time.Now().Add(dedupeWindow)
	if err != nil {
		l.last = "" // a failed command may be tried again at once
	}
	if aerr := h.recordCommand(c, act.command, in, t, err); aerr != nil {
		h.log.Error("audit record failed", "error", aerr, "resource", act.command)
		o.Kind, o.status = views.OutcomeUncertain, http.StatusInternalServerError
		o.Text = "The command was sent, but pexops could not record it in the audit trail."
		return o
	}
	for _, r := range refresh {
		h.Poller.Refresh(r)
	}
	if err != nil {
		h.log.Info("command failed", "resource", act.command, "error", err)
		o.status, o.Text = commandFailure(err)
		o.Kind = views.OutcomeFailed
		if uncertain(err) {
			o.Kind = views.OutcomeUncertain
		}
		return o
	}
	o.Kind, o.Text, o.status = views.OutcomeSent, act.verb+" sent — waiting for Pexip to confirm", http.StatusOK
	return o
}

// uncertain reports whether a failed command may still have taken effect: Pexip failed or
// did not answer after receiving it. A refusal (4xx, a non-success status) did nothing.
func uncertain(err error) bool {
	var ae *pexip.APIError
	var ce *pexip.CommandError
	switch {
	case errors.As(err, &ce), errors.Is(err, pexip.ErrNotFound), errors.Is(err, pexip.ErrUnauthorized):
		return false
	case errors.As(err, &ae):
		return ae.Status >= 500
	}
	return true // timeouts and broken connections
}

// commandFailure turns a failed command into what the operator reads beside the button.
func commandFailure(err error) (int, string) {
	var ce *pexip.CommandError
	var ae *pexip.APIError
	switch {
	case errors.As(err, &ce):
		switch {
		case ce.Message == "" && ce.Status == "":
			return http.StatusBadGateway, "Pexip did not report success, and gave no reason."
		case ce.Status == "":
			// An answer without a status (Tastypie's canned error in a 2xx) is no success either.
			return http.StatusBadGateway, "Pexip did not report success: " + ce.Message
		}
		return http.StatusBadGateway, "Pexip refused: " + firstNonEmpty(ce.Message, "status "+ce.Status)
	case errors.As(err, &ae) && len(ae.Fields) > 0:
		field, msg := firstFieldError(ae.Fields)
		switch {
		case errors.Is(err, pexip.ErrNotFound) && (field == "participant_id" || field == "conference_id"):
			return http.StatusNotFound, "Pexip no longer knows this call: it may have ended."
		case errors.Is(err, pexip.ErrNotFound):
			return http.StatusNotFound, "Pexip refused: " + msg
		}
		return http.StatusUnprocessableEntity, "Pexip refused: " + msg
	case errors.Is(err, pexip.ErrNotFound):
		return http.StatusNotFound, "Pexip no longer knows this call: it may have ended."
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "Pexip did not answer in time; the command may or may not have taken effect. pexops did not repeat it."
	case errors.As(err, &ae) && ae.Status >= 500:
		return http.StatusBadGateway, "Pexip answered with an error (HTTP " + itoa(ae.Status) + "). The command may have taken effect; pexops did not repeat it."
	}
	status, _, msg := classify(err)
	return status, msg
}

// firstFieldError is the first of Pexip's field errors, in field order so the answer is stable.
func firstFieldError(fields map[string][]string) (field, msg string) {
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if len(fields[k]) > 0 {
			return k, fields[k][0]
		}
	}
	return "", "no reason given"
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return "no reason given"
}
