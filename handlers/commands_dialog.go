package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/live"
	"pexops/pexip"
	"pexops/views"
)

// maxBulk is how many participants one bulk action may name: a big meeting, not a runaway
// script.
const maxBulk = 200

// bulkActions are the actions that may be applied to several participants at once.
var bulkActions = map[string]bool{"mute": true, "unmute": true, "disconnect": true}

// handleParticipantConfirm renders the dialog of a destructive participant action: it names
// who is affected before anything is sent.
func (h *Handler) handleParticipantConfirm(c echo.Context) error {
	p, err := h.liveParticipant(c.Param("id"))
	switch c.Param("action") {
	case "disconnect":
		if err != nil {
			return err
		}
		return ok(c, views.DisconnectDialog(h.participantTarget(p)))
	case "transfer":
		if err != nil {
			return err
		}
		return ok(c, views.TransferDialog(transferProps(p, "", "", "")))
	}
	return echo.ErrNotFound
}

// handleConferenceConfirm renders the dialog that asks for the conference's name before
// everyone is disconnected.
func (h *Handler) handleConferenceConfirm(c echo.Context) error {
	if c.Param("action") != "disconnect" {
		return echo.ErrNotFound
	}
	conf, err := h.liveConference(c.Param("id"))
	if err != nil {
		return err
	}
	return ok(c, views.DisconnectAllDialog(h.disconnectAllProps(conf)))
}

func (h *Handler) disconnectAllProps(conf pexip.Conference) views.DisconnectAllProps {
	props := views.DisconnectAllProps{ID: conf.ID, Name: conf.Name}
	for _, p := range h.Poller.State().ParticipantsOf(conf.Name) {
		props.Participants = append(props.Participants, participantLabel(p))
	}
	return props
}

func (h *Handler) participantTarget(p pexip.Participant) views.ParticipantTarget {
	t := views.ParticipantTarget{ID: p.ID, Name: participantLabel(p), Conference: p.Conference}
	if conf, ok := h.Poller.State().ConferenceByName(p.Conference); ok {
		t.ConferenceID = conf.ID
	}
	return t
}

func transferProps(p pexip.Participant, alias, role, msg string) views.TransferProps {
	return views.TransferProps{
		Participant: views.ParticipantTarget{ID: p.ID, Name: participantLabel(p), Conference: p.Conference},
		Alias:       alias, Role: role, Error: msg,
	}
}

// participantLabel is how a participant is named in dialogs: its display name, or its alias
// when it has none.
func participantLabel(p pexip.Participant) string {
	v := participantView(p, "")
	switch {
	case v.DisplayName != "" && v.Alias != "":
		return v.DisplayName + " (" + v.Alias + ")"
	case v.DisplayName != "":
		return v.DisplayName
	case v.Alias != "":
		return v.Alias
	}
	return "participant " + p.ID
}

// bulkSelection reads the action and the selected participants of a bulk request; only
// participants of this conference count.
func (h *Handler) bulkSelection(c echo.Context) (views.BulkProps, []pexip.Participant, error) {
	conf, err := h.liveConference(c.Param("id"))
	if err != nil {
		return views.BulkProps{}, nil, err
	}
	name := c.FormValue("action")
	if !bulkActions[name] {
		return views.BulkProps{}, nil, errUser(http.StatusUnprocessableEntity, "Choose mute, unmute or disconnect.")
	}
	form, err := c.FormParams()
	if err != nil {
		return views.BulkProps{}, nil, errUser(http.StatusBadRequest, "The selection could not be read.")
	}
	ids := form["pid"]
	props := views.BulkProps{ConferenceID: conf.ID, Conference: conf.Name, Action: name,
		Verb: participantActions[name].verb}
	switch {
	case len(ids) == 0:
		props.Error = "Select one or more participants first."
		return props, nil, nil
	case len(ids) > maxBulk:
		props.Error = "Select at most " + itoa(maxBulk) + " participants at once."
		return props, nil, nil
	}
	st := h.Poller.State()
	seen := map[string]bool{}
	var ps []pexip.Participant
	for _, id := range ids {
		id = strings.TrimSpace(id)
		p, found := st.Participants[id]
		if seen[id] {
			continue
		}
		seen[id] = true
		if !found || p.Conference != conf.Name {
			props.Missing++
			continue
		}
		ps = append(ps, p)
		props.Targets = append(props.Targets, h.participantTarget(p))
	}
	return props, ps, nil
}

// handleBulkConfirm renders the dialog that names every participant a bulk disconnect affects.
func (h *Handler) handleBulkConfirm(c echo.Context) error {
	props, _, err := h.bulkSelection(c)
	if err != nil {
		return err
	}
	return ok(c, views.BulkDialog(props))
}

// handleBulkCommand applies one action to each selected participant in turn, each command
// sent once, serialised with any other command on the same participant, and audited.
func (h *Handler) handleBulkCommand(c echo.Context) error {
	props, ps, err := h.bulkSelection(c)
	if err != nil {
		return err
	}
	if props.Error != "" || len(ps) == 0 {
		if props.Error == "" {
			props.Error = "None of the selected participants is still in this conference."
		}
		return render(c, http.StatusUnprocessableEntity, views.BulkDialog(props))
	}
	if props.Action == "disconnect" && c.FormValue("confirmed") != "yes" {
		return render(c, http.StatusUnprocessableEntity, views.BulkDialog(props))
	}
	act := participantActions[props.Action]
	for _, p := range ps {
		t := commandTarget{kind: "participant", id: p.ID, name: p.DisplayName, conference: p.Conference}
		o := h.runCommand(c, act, actionInput{}, t)
		o.Name = participantLabel(p)
		props.Outcomes = append(props.Outcomes, o.CommandOutcome)
	}
	h.Poller.Refresh(live.Target{Conference: props.Conference})
	return ok(c, views.BulkResult(props))
}
