package pexip_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestCommandOutcomes(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		body         string
		wantCmdErr   *pexip.CommandError
		wantNotFound bool
		wantAPI      int // status of the wanted *APIError, 0 for none
	}{
		{name: "success 202", status: 202, body: `{"status": "success", "data": null}`},
		{name: "success 200", status: 200, body: `{"status": "success"}`},
		{name: "empty 202", status: 202, body: ``},
		{
			name: "2xx failure with message", status: 200, body: `{"status": "failed", "message": "Participant is not muteable"}`,
			wantCmdErr: &pexip.CommandError{Command: "participant/mute", Status: "failed", Message: "Participant is not muteable"},
		},
		{
			name: "2xx failure with error", status: 202, body: `{"status": "error", "error": "Unable to mute"}`,
			wantCmdErr: &pexip.CommandError{Command: "participant/mute", Status: "error", Message: "Unable to mute"},
		},
		{
			name: "2xx without status", status: 200, body: `{"data": {}}`,
			wantCmdErr: &pexip.CommandError{Command: "participant/mute"},
		},
		{
			name: "2xx with only Tastypie's error_message", status: 200, body: `{"error_message": "Sorry, this request could not be processed."}`,
			wantCmdErr: &pexip.CommandError{Command: "participant/mute", Message: "Sorry, this request could not be processed."},
		},
		{
			name: "unknown participant", status: 400, body: `{"mute": {"participant_id": ["Failed to find participant."]}}`,
			wantNotFound: true, wantAPI: 400,
		},
		{name: "plain 404", status: 404, body: ``, wantNotFound: true, wantAPI: 404},
		{name: "other 400", status: 400, body: `{"mute": {"participant_id": ["This field is required."]}}`, wantAPI: 400},
		{name: "500", status: 500, body: `{"error_message": "Sorry"}`, wantAPI: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			})
			c := newClient(t, node.URL)
			err := c.MuteParticipant(context.Background(), "p-1")

			if tt.wantCmdErr == nil && tt.wantAPI == 0 && err != nil {
				t.Fatalf("err = %v, want success", err)
			}
			cmdErr, _ := errors.AsType[*pexip.CommandError](err)
			if diff := cmp.Diff(tt.wantCmdErr, cmdErr); diff != "" {
				t.Errorf("CommandError (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, pexip.ErrNotFound); got != tt.wantNotFound {
				t.Errorf("errors.Is(err, ErrNotFound) = %v, want %v (err %v)", got, tt.wantNotFound, err)
			}
			apiErr, _ := errors.AsType[*pexip.APIError](err)
			if gotStatus := statusOf(apiErr); gotStatus != tt.wantAPI {
				t.Errorf("APIError status = %d, want %d", gotStatus, tt.wantAPI)
			}
			req := node.requests()[0]
			if req.Method != "POST" || req.Path != "/api/admin/command/v1/participant/mute/" || req.ContentType != "application/json" {
				t.Errorf("request = %s %s (%s)", req.Method, req.Path, req.ContentType)
			}
			if got, want := string(req.Body), `{"participant_id":"p-1"}`; got != want {
				t.Errorf("body = %s, want %s", got, want)
			}
		})
	}
}

func statusOf(e *pexip.APIError) int {
	if e == nil {
		return 0
	}
	return e.Status
}

func TestTypedCommandsSendTheirFields(t *testing.T) {
	tests := []struct {
		name     string
		call     func(*pexip.Client) error
		wantPath string
		wantBody map[string]any
	}{
		{"unmute", func(c *pexip.Client) error { return c.UnmuteParticipant(context.Background(), "p") },
			"participant/unmute", map[string]any{"participant_id": "p"}},
		{"unlock participant", func(c *pexip.Client) error { return c.UnlockParticipant(context.Background(), "p") },
			"participant/unlock", map[string]any{"participant_id": "p"}},
		{"transfer", func(c *pexip.Client) error {
			return c.TransferParticipant(context.Background(), "p", "meet@x", "chair")
		},
			"participant/transfer", map[string]any{"participant_id": "p", "conference_alias": "meet@x", "role": "chair"}},
		{"role", func(c *pexip.Client) error { return c.SetParticipantRole(context.Background(), "p", "guest") },
			"participant/role", map[string]any{"participant_id": "p", "role": "guest"}},
		{"lock", func(c *pexip.Client) error { return c.LockConference(context.Background(), "c") },
			"conference/lock", map[string]any{"conference_id": "c"}},
		{"unlock", func(c *pexip.Client) error { return c.UnlockConference(context.Background(), "c") },
			"conference/unlock", map[string]any{"conference_id": "c"}},
		{"mute guests", func(c *pexip.Client) error { return c.MuteGuests(context.Background(), "c") },
			"conference/mute_guests", map[string]any{"conference_id": "c"}},
		{"unmute guests", func(c *pexip.Client) error { return c.UnmuteGuests(context.Background(), "c") },
			"conference/unmute_guests", map[string]any{"conference_id": "c"}},
		{"disconnect all", func(c *pexip.Client) error { return c.DisconnectConference(context.Background(), "c") },
			"conference/disconnect", map[string]any{"conference_id": "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 202, map[string]any{"status": "success", "data": nil})
			})
			if err := tt.call(newClient(t, node.URL)); err != nil {
				t.Fatal(err)
			}
			req := node.requests()[0]
			if want := "/api/admin/command/v1/" + tt.wantPath + "/"; req.Path != want {
				t.Errorf("path = %s, want %s", req.Path, want)
			}
			var got map[string]any
			if err := json.Unmarshal(req.Body, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantBody, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSetParticipantRoleRefusesUnknownRole(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newClient(t, node.URL)
	// The wire values are chair and guest, although the guide's text says host.
	if err := c.SetParticipantRole(context.Background(), "p", "host"); err == nil {
		t.Error("role host was sent")
	}
	if node.count() != 0 {
		t.Errorf("requests = %d", node.count())
	}
}

func TestDial(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantID  string
		wantErr error
	}{
		{"participant_id", `{"status": "success", "data": {"participant_id": "5acac442-1"}}`, "5acac442-1", nil},
		{"participant_ids only", `{"status": "success", "data": {"participant_ids": ["5acac442-2", "x"]}}`, "5acac442-2", nil},
		{"both", `{"status": "success", "data": {"participant_id": "a", "participant_ids": ["a"]}}`, "a", nil},
		{"no data", `{"status": "success", "data": null}`, "", pexip.ErrNoParticipantID},
		{"odd data", `{"status": "success", "data": "yes"}`, "", pexip.ErrNoParticipantID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(202)
				w.Write([]byte(tt.body))
			})
			c := newClient(t, node.URL)
			id, err := c.Dial(context.Background(), pexip.DialRequest{
				ConferenceAlias: "meet", Destination: "sip:bob@example.com", Protocol: "sip",
				Role: "guest", SystemLocation: "London", RemoteDisplayName: "Bob",
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if id != tt.wantID {
				t.Errorf("id = %q, want %q", id, tt.wantID)
			}
			var got map[string]any
			if err := json.Unmarshal(node.requests()[0].Body, &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				"conference_alias": "meet", "destination": "sip:bob@example.com", "protocol": "sip",
				"role": "guest", "system_location": "London", "remote_display_name": "Bob",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("dial body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDialRequiresAliasAndDestination(t *testing.T) {
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {})
	c := newClient(t, node.URL)
	for _, r := range []pexip.DialRequest{{Destination: "x"}, {ConferenceAlias: "x"}, {ConferenceAlias: " ", Destination: " "}} {
		if _, err := c.Dial(context.Background(), r); err == nil {
			t.Errorf("Dial(%+v) succeeded", r)
		}
	}
	if node.count() != 0 {
		t.Errorf("requests = %d", node.count())
	}
}

func TestCommandsKeepTheirOrder(t *testing.T) {
	// F06: mute then unmute clicked quickly. With one request in flight (the default) the
	// unmute waits for the mute, so the node sees them in the order they were issued.
	arrived := make(chan struct{}, 2)
	var mu sync.Mutex
	var order []string
	event := func(e string) {
		mu.Lock()
		order = append(order, e)
		mu.Unlock()
	}
	node := newFakeNode(t, func(w http.ResponseWriter, r *http.Request) {
		name := path.Base(r.URL.Path)
		event("start " + name)
		arrived <- struct{}{}
		time.Sleep(30 * time.Millisecond)
		event("end " + name)
		writeJSON(w, 202, map[string]any{"status": "success"})
	})
	c := newClient(t, node.URL)
	var wg sync.WaitGroup
	wg.Go(func() { c.MuteParticipant(context.Background(), "p") })
	<-arrived
	wg.Go(func() { c.UnmuteParticipant(context.Background(), "p") })
	wg.Wait()
	want := []string{"start mute", "end mute", "start unmute", "end unmute"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order at the node (-want +got):\n%s", diff)
	}
}
