package pexip

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Command groups of /api/admin/command/v1/.
const (
	CommandParticipant = "participant"
	CommandConference  = "conference"
	CommandPlatform    = "platform"
)

// CommandResult is a successful command's response.
type CommandResult struct {
	Status  string          // "success"
	Message string          // rarely set on success
	Data    json.RawMessage // dial: {"participant_id": ..., "participant_ids": [...]}; often null
}

type wireCommandResult struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Error   string `json:"error"`
	// ErrorMessage is Tastypie's key for a canned failure, seen inside 2xx answers too.
	ErrorMessage string          `json:"error_message"`
	Data         json.RawMessage `json:"data"`
}

// Command POSTs fields as JSON to command/v1/<group>/<name>/. It is never retried (F06): a
// repeated dial makes a second call. Any 2xx whose status is not "success" is a
// *CommandError with the node's message; an empty 2xx body counts as success. A 400 saying
// "Failed to find participant." (or conference, or cloud node) matches ErrNotFound.
//
// With MaxInFlight 1 (the default) commands reach the node in the order they were issued;
// with more, two commands for the same participant may overtake each other.
func (c *Client) Command(ctx context.Context, group, name string, fields map[string]any) (*CommandResult, error) {
	cmd := strings.Trim(group, "/") + "/" + strings.Trim(name, "/")
	if err := checkPath(cmd); err != nil || strings.Count(cmd, "/") != 1 {
		return nil, fmt.Errorf("command %s: %w", cmd, ErrInvalidID)
	}
	if fields == nil {
		fields = map[string]any{}
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("command %s: encode: %w", cmd, err)
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, path: "command/v1/" + cmd, body: data})
	if err != nil {
		return nil, fmt.Errorf("command %s: %w", cmd, err)
	}
	return parseCommandResult(cmd, resp.body)
}

func parseCommandResult(cmd string, body []byte) (*CommandResult, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return &CommandResult{Status: "success"}, nil
	}
	var w wireCommandResult
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("command %s: decode response: %w", cmd, err)
	}
	if !strings.EqualFold(w.Status, "success") {
		msg := w.Message
		if msg == "" {
			msg = w.Error
		}
		if msg == "" {
			msg = w.ErrorMessage
		}
		return nil, &CommandError{Command: cmd, Status: w.Status, Message: msg}
	}
	return &CommandResult{Status: w.Status, Message: w.Message, Data: w.Data}, nil
}

// DialRequest is a participant/dial command: dial Destination into the conference that owns
// ConferenceAlias. Empty fields are left out, so the node applies its defaults. One of Node
// and SystemLocation is required unless Routing is "routing_rule".
type DialRequest struct {
	ConferenceAlias     string // required
	Destination         string // required
	Protocol            string // sip (default), h323, mssip, rtmp, gms, teams
	CallType            string // video (default), audio, video-only
	Role                string // guest (default) or chair
	SystemLocation      string // location name to place the call from
	Node                string // IP address of a Conferencing Node
	Routing             string // manual (default) or routing_rule
	RemoteDisplayName   string
	LocalDisplayName    string
	DTMFSequence        string
	PresentationURL     string
	KeepConferenceAlive string
	Streaming           bool
}

func (r DialRequest) fields() map[string]any {
	f := map[string]any{}
	set := func(key, v string) {
		if v = strings.TrimSpace(v); v != "" {
			f[key] = v
		}
	}
	set("conference_alias", r.ConferenceAlias)
	set("destination", r.Destination)
	set("protocol", r.Protocol)
	set("call_type", r.CallType)
	set("role", r.Role)
	set("system_location", r.SystemLocation)
	set("node", r.Node)
	set("routing", r.Routing)
	set("remote_display_name", r.RemoteDisplayName)
	set("local_display_name", r.LocalDisplayName)
	set("dtmf_sequence", r.DTMFSequence)
	set("presentation_url", r.PresentationURL)
	set("keep_conference_alive", r.KeepConferenceAlive)
	if r.Streaming {
		f["streaming"] = true
	}
	return f
}

// ErrNoParticipantID is a dial the node reported as successful without naming the new
// participant; the call may be up, so it must not be dialled again blindly.
var ErrNoParticipantID = errors.New("pexip: dial succeeded without a participant id")

// Dial places a call and returns the new participant's id from data.participant_id (or the
// first of data.participant_ids). Never retried.
func (c *Client) Dial(ctx context.Context, r DialRequest) (string, error) {
	if strings.TrimSpace(r.ConferenceAlias) == "" || strings.TrimSpace(r.Destination) == "" {
		return "", errors.New("dial: conference alias and destination are required")
	}
	res, err := c.Command(ctx, CommandParticipant, "dial", r.fields())
	if err != nil {
		return "", fmt.Errorf("dial: %w", err)
	}
	var data struct {
		ParticipantID  string   `json:"participant_id"`
		ParticipantIDs []string `json:"participant_ids"`
	}
	_ = json.Unmarshal(res.Data, &data) // a data block of another shape means no id
	switch {
	case data.ParticipantID != "":
		return data.ParticipantID, nil
	case len(data.ParticipantIDs) > 0 && data.ParticipantIDs[0] != "":
		return data.ParticipantIDs[0], nil
	}
	return "", fmt.Errorf("dial: %w", ErrNoParticipantID)
}

// participantCommand runs a participant command that takes only participant_id.
func (c *Client) participantCommand(ctx context.Context, name, id string, extra map[string]any) error {
	if _, err := objectPath("participant", id); err != nil {
		return fmt.Errorf("%s participant: %w", name, err)
	}
	fields := map[string]any{"participant_id": strings.TrimSpace(id)}
	for k, v := range extra {
		fields[k] = v
	}
	if _, err := c.Command(ctx, CommandParticipant, name, fields); err != nil {
		return fmt.Errorf("%s participant: %w", name, err)
	}
	return nil
}

// conferenceCommand runs a conference command that takes only conference_id (the status
// conference's id).
func (c *Client) conferenceCommand(ctx context.Context, name, id string) error {
	if _, err := objectPath("conference", id); err != nil {
		return fmt.Errorf("%s conference: %w", name, err)
	}
	fields := map[string]any{"conference_id": strings.TrimSpace(id)}
	if _, err := c.Command(ctx, CommandConference, name, fields); err != nil {
		return fmt.Errorf("%s conference: %w", name, err)
	}
	return nil
}

// MuteParticipant mutes a participant's audio towards the conference.
func (c *Client) MuteParticipant(ctx context.Context, participantID string) error {
	return c.participantCommand(ctx, "mute", participantID, nil)
}

// UnmuteParticipant unmutes a participant.
func (c *Client) UnmuteParticipant(ctx context.Context, participantID string) error {
	return c.participantCommand(ctx, "unmute", participantID, nil)
}

// DisconnectParticipant disconnects a participant.
func (c *Client) DisconnectParticipant(ctx context.Context, participantID string) error {
	return c.participantCommand(ctx, "disconnect", participantID, nil)
}

// UnlockParticipant admits a participant waiting to join a locked conference.
func (c *Client) UnlockParticipant(ctx context.Context, participantID string) error {
	return c.participantCommand(ctx, "unlock", participantID, nil)
}

// TransferParticipant moves a participant to the conference that owns conferenceAlias, with
// role "chair", "guest" or "auto" (empty lets the node decide). The target's PIN is bypassed.
func (c *Client) TransferParticipant(ctx context.Context, participantID, conferenceAlias, role string) error {
	if strings.TrimSpace(conferenceAlias) == "" {
		return errors.New("transfer participant: conference alias is required")
	}
	extra := map[string]any{"conference_alias": strings.TrimSpace(conferenceAlias)}
	if role != "" {
		extra["role"] = role
	}
	return c.participantCommand(ctx, "transfer", participantID, extra)
}

// SetParticipantRole makes a participant a "chair" (host) or a "guest".
func (c *Client) SetParticipantRole(ctx context.Context, participantID, role string) error {
	if role != "chair" && role != "guest" {
		return fmt.Errorf("role participant: role must be chair or guest, not %q", role)
	}
	return c.participantCommand(ctx, "role", participantID, map[string]any{"role": role})
}

// LockConference locks a conference: new participants wait until admitted.
func (c *Client) LockConference(ctx context.Context, conferenceID string) error {
	return c.conferenceCommand(ctx, "lock", conferenceID)
}

// UnlockConference unlocks a conference.
func (c *Client) UnlockConference(ctx context.Context, conferenceID string) error {
	return c.conferenceCommand(ctx, "unlock", conferenceID)
}

// MuteGuests mutes every guest of a conference.
func (c *Client) MuteGuests(ctx context.Context, conferenceID string) error {
	return c.conferenceCommand(ctx, "mute_guests", conferenceID)
}

// UnmuteGuests unmutes every guest of a conference.
func (c *Client) UnmuteGuests(ctx context.Context, conferenceID string) error {
	return c.conferenceCommand(ctx, "unmute_guests", conferenceID)
}

// DisconnectConference disconnects every participant of a conference.
func (c *Client) DisconnectConference(ctx context.Context, conferenceID string) error {
	return c.conferenceCommand(ctx, "disconnect", conferenceID)
}
