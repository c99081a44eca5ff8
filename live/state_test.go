package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip"
)

func TestChangedFields(t *testing.T) {
	at := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	base := pexip.Participant{ID: "p1", Conference: "VMR_1", DisplayName: "Alice",
		ConnectTime: pexip.NewTime(at), BucketedCallQuality: pexip.IntList{}}
	tests := []struct {
		name   string
		change func(p *pexip.Participant)
		want   []string
	}{
		{name: "nothing", change: func(*pexip.Participant) {}, want: nil},
		{name: "mute", change: func(p *pexip.Participant) { p.IsMuted = true }, want: []string{"is_muted"}},
		{name: "two fields in struct order", change: func(p *pexip.Participant) {
			p.Role, p.DisplayName = "guest", "Bob"
		}, want: []string{"display_name", "role"}},
		{name: "same instant in another zone", change: func(p *pexip.Participant) {
			p.ConnectTime = pexip.Time{Time: at.In(time.FixedZone("X", 3600))}
		}, want: nil},
		{name: "time moved", change: func(p *pexip.Participant) {
			p.ConnectTime = pexip.NewTime(at.Add(time.Microsecond))
		}, want: []string{"connect_time"}},
		{name: "empty list equals nil list", change: func(p *pexip.Participant) {
			p.BucketedCallQuality = nil
		}, want: nil},
		{name: "list content", change: func(p *pexip.Participant) {
			p.BucketedCallQuality = pexip.IntList{0, 1}
		}, want: []string{"bucketed_call_quality"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base
			tt.change(&next)
			if diff := cmp.Diff(tt.want, changedFields(base, next)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffMapsCarriesConferenceNames(t *testing.T) {
	old := map[string]pexip.Participant{
		"a": {ID: "a", Conference: "VMR_1"},
		"b": {ID: "b", Conference: "VMR_1"},
		"c": {ID: "c", Conference: "VMR_1"},
	}
	cur := map[string]pexip.Participant{
		"a": {ID: "a", Conference: "VMR_1", IsMuted: true},
		"c": {ID: "c", Conference: "VMR_2"},
		"d": {ID: "d", Conference: "VMR_2"},
	}
	want := []Delta{
		{Kind: Changed, Resource: ResourceParticipant, ID: "a", Fields: []string{"is_muted"}, Conference: "VMR_1"},
		{Kind: Removed, Resource: ResourceParticipant, ID: "b", Conference: "VMR_1"},
		{Kind: Changed, Resource: ResourceParticipant, ID: "c", Fields: []string{"conference"},
			Conference: "VMR_2", FromConference: "VMR_1"},
		{Kind: Added, Resource: ResourceParticipant, ID: "d", Conference: "VMR_2"},
	}
	got := diffMaps(ResourceParticipant, old, cur, participantConference)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMergeDeltas(t *testing.T) {
	p := func(kind DeltaKind, id, conf string, fields ...string) Delta {
		return Delta{Kind: kind, Resource: ResourceParticipant, ID: id, Conference: conf, Fields: fields}
	}
	moved := func(d Delta, from string) Delta { d.FromConference = from; return d }
	tests := []struct {
		name         string
		older, newer []Delta
		want         []Delta
	}{
		{name: "different objects kept in order",
			older: []Delta{p(Added, "a", "V1")}, newer: []Delta{p(Removed, "b", "V1")},
			want: []Delta{p(Added, "a", "V1"), p(Removed, "b", "V1")}},
		{name: "added then changed is added",
			older: []Delta{p(Added, "a", "V1")}, newer: []Delta{p(Changed, "a", "V1", "is_muted")},
			want: []Delta{p(Added, "a", "V1")}},
		{name: "added then removed cancels",
			older: []Delta{p(Added, "a", "V1"), p(Added, "b", "V1")}, newer: []Delta{p(Removed, "a", "V1")},
			want: []Delta{p(Added, "b", "V1")}},
		{name: "changed twice joins fields",
			older: []Delta{p(Changed, "a", "V1", "is_muted")}, newer: []Delta{p(Changed, "a", "V1", "role", "is_muted")},
			want: []Delta{p(Changed, "a", "V1", "is_muted", "role")}},
		{name: "removed then added is a full change",
			older: []Delta{p(Removed, "a", "V1")}, newer: []Delta{p(Added, "a", "V2")},
			want: []Delta{moved(Delta{Kind: Changed, Resource: ResourceParticipant, ID: "a", Conference: "V2"}, "V1")}},
		{name: "moved then removed is removed from where the consumer saw it",
			older: []Delta{moved(p(Changed, "a", "V2", "conference"), "V1")}, newer: []Delta{p(Removed, "a", "V2")},
			want: []Delta{p(Removed, "a", "V1")}},
		{name: "moved and moved back is no move",
			older: []Delta{moved(p(Changed, "a", "V2", "conference"), "V1")},
			newer: []Delta{moved(p(Changed, "a", "V1", "conference"), "V2")},
			want:  []Delta{p(Changed, "a", "V1", "conference")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, mergeDeltas(tt.older, tt.newer)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoalesceTooManyBecomesResync(t *testing.T) {
	many := make([]Delta, maxCoalescedDeltas)
	for i := range many {
		many[i] = Delta{Kind: Added, Resource: ResourceParticipant, ID: fmt.Sprint(i)}
	}
	st := &State{Version: 2}
	got := coalesce(Batch{Version: 1, Deltas: many}, Batch{Version: 2, Deltas: many[:1], State: st})
	want := Batch{Version: 2, State: st, Resync: true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		want       string
		nodeDown   bool
		retryAfter time.Duration
	}{
		{name: "rate limited", err: fmt.Errorf("list x: %w", &pexip.APIError{Status: 429, RetryAfter: 7 * time.Second,
			Body: []byte("secret body")}),
			want: "the Management Node is limiting requests (HTTP 429)", nodeDown: true, retryAfter: 7 * time.Second},
		{name: "credentials", err: &pexip.APIError{Status: 401},
			want: "the Management Node refused the credentials (HTTP 401)", nodeDown: true},
		{name: "one resource forbidden", err: &pexip.APIError{Status: 403},
			want: "the Management Node does not allow this account to read it (HTTP 403)"},
		{name: "token refused", err: fmt.Errorf("list: %w", pexip.ErrUnauthorized),
			want: "the Management Node refused the credentials", nodeDown: true},
		{name: "unexpected redirect", err: &pexip.APIError{Status: 302, Message: "unexpected redirect"},
			want: "the Management Node refused the request (HTTP 302)"},
		{name: "server error", err: &pexip.APIError{Status: 503, Message: "<html>trace</html>"},
			want: "the Management Node failed (HTTP 503)", nodeDown: true},
		{name: "missing resource", err: &pexip.APIError{Status: 404},
			want: "the Management Node does not offer this resource (HTTP 404)"},
		{name: "refused connection", err: &net.OpError{Op: "dial", Err: errors.New("connection refused")},
			want: "cannot reach the Management Node", nodeDown: true},
		{name: "timeout", err: fmt.Errorf("get: %w", errors.Join(errors.New("x"), contextDeadline())),
			want: "the Management Node did not answer in time", nodeDown: true},
		{name: "garbage", err: errors.New("pexip: decode response: invalid character"),
			want: "the Management Node sent an answer that could not be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why, down, ra := explain(tt.err)
			got := []any{why, down, ra}
			if diff := cmp.Diff([]any{tt.want, tt.nodeDown, tt.retryAfter}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func contextDeadline() error { return context.DeadlineExceeded }
