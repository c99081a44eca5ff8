package pexip_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"pexops/pexip"
	"pexops/pexip/sim"
	"pexops/pexip/sim/platform"
)

// startSim runs the simulator on a manual clock (no random activity) with a real client.
func startSim(t *testing.T) (*sim.Sim, *pexip.Client) {
	t.Helper()
	clock := platform.NewManualClock(time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC))
	return sim.StartTest(t, sim.Options{Seed: 7, Clock: clock, Services: 10})
}

// firstAlias is an alias of a seeded VMR without automatically dialled participants, PIN or
// a participant limit below 50, to join participants to.
func firstAlias(t *testing.T, c *pexip.Client) (pexip.Service, string) {
	t.Helper()
	page, err := c.Services(context.Background(), url.Values{"service_type": {pexip.ServiceVMR}})
	if err != nil {
		t.Fatalf("Services: %v", err)
	}
	for _, s := range page.Objects {
		roomy := s.ParticipantLimit == nil || *s.ParticipantLimit == 0 || *s.ParticipantLimit >= 50
		if len(s.Aliases) > 0 && len(s.AutomaticParticipants) == 0 && roomy && s.PIN == "" {
			return s, s.Aliases[0].Alias
		}
	}
	t.Fatal("no seeded VMR with an alias")
	return pexip.Service{}, ""
}

func joinN(t *testing.T, s *sim.Sim, alias string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		id, err := s.Platform().Join(platform.JoinSpec{Alias: alias, DisplayName: fmt.Sprintf("Caller %d", i), Role: "chair"})
		if err != nil {
			t.Fatalf("Join: %v", err)
		}
		ids[i] = id
	}
	return ids
}

func TestSimServiceLifecycle(t *testing.T) {
	_, c := startSim(t)
	ctx := context.Background()
	id, err := c.Create(ctx, pexip.ResService, map[string]any{
		"name": "Client test VMR", "service_type": "conference", "allow_guests": true, "pin": "1234", "guest_pin": "5678",
		"aliases": []map[string]string{{"alias": "client-test"}, {"alias": "client-test@example.com"}},
	})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	n, _ := fmt.Sscan(id, new(int))
	if n != 1 {
		t.Fatalf("id = %q, want an integer", id)
	}
	var svcID int
	fmt.Sscan(id, &svcID)
	svc, err := c.Service(ctx, svcID)
	if err != nil || svc.Name != "Client test VMR" || len(svc.Aliases) != 2 || !svc.AllowGuests {
		t.Fatalf("Service = %+v, %v", svc, err)
	}

	// F04: unticking guests and clearing the PINs must stick.
	if err := c.Update(ctx, pexip.ResService, id, map[string]any{"allow_guests": false, "pin": "", "guest_pin": ""}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	svc, err = c.Service(ctx, svcID)
	if err != nil || svc.AllowGuests || svc.PIN != "" || svc.GuestPIN != "" {
		t.Errorf("after update: allow_guests %v pin %q guest_pin %q (%v)", svc.AllowGuests, svc.PIN, svc.GuestPIN, err)
	}

	// A duplicate name is a field error.
	_, err = c.Create(ctx, pexip.ResService, map[string]any{"name": "Client test VMR"})
	if e := asAPI(err); e == nil || e.Status != 400 || e.FieldError("name") == "" {
		t.Errorf("duplicate create: %v", err)
	}

	// F07: a blank id deletes nothing.
	before, _ := c.Services(ctx, nil)
	if err := c.Delete(ctx, pexip.ResService, " "); !errors.Is(err, pexip.ErrInvalidID) {
		t.Errorf("Delete blank: %v", err)
	}
	after, _ := c.Services(ctx, nil)
	if before.Meta.TotalCount == 0 || after.Meta.TotalCount != before.Meta.TotalCount {
		t.Errorf("services %d -> %d after a blank delete", before.Meta.TotalCount, after.Meta.TotalCount)
	}
	if err := c.Delete(ctx, pexip.ResService, id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := c.Service(ctx, svcID); !errors.Is(err, pexip.ErrNotFound) {
		t.Errorf("Service after delete: %v, want ErrNotFound", err)
	}
}

func TestSimParticipantsOverPages(t *testing.T) {
	s, c := startSim(t)
	_, alias := firstAlias(t, c)
	joinN(t, s, alias, 45)
	s.Stats().Reset()

	got, err := c.Participants(context.Background(), url.Values{"limit": {"20"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := pexip.DedupeByID(got, func(p pexip.Participant) string { return p.ID })
	if len(got) != 45 || len(ids) != 45 {
		t.Errorf("participants = %d (%d unique), want 45", len(got), len(ids))
	}
	if n := s.Stats().Count("GET", "/api/admin/status/v1/participant/"); n != 3 {
		t.Errorf("requests = %d, want 3 pages", n)
	}
	confs, err := c.Conferences(context.Background())
	if err != nil || len(confs) != 1 || confs[0].Name == "" {
		t.Errorf("Conferences = %+v, %v", confs, err)
	}
}

func TestSimCommands(t *testing.T) {
	s, c := startSim(t)
	ctx := context.Background()
	_, alias := firstAlias(t, c)
	pid := joinN(t, s, alias, 1)[0]

	if err := c.MuteParticipant(ctx, pid); err != nil {
		t.Fatalf("Mute: %v", err)
	}
	var p pexip.Participant
	if err := c.GetObject(ctx, pexip.ResParticipant, pid, &p); err != nil || !p.IsMuted {
		t.Errorf("after mute: is_muted %v (%v)", p.IsMuted, err)
	}
	if err := c.MuteParticipant(ctx, "00000000-0000-0000-0000-00000000dead"); !errors.Is(err, pexip.ErrNotFound) {
		t.Errorf("mute unknown participant: %v, want ErrNotFound", err)
	}
	confs, _ := c.Conferences(ctx)
	if len(confs) != 1 {
		t.Fatalf("conferences = %d", len(confs))
	}
	if err := c.LockConference(ctx, confs[0].ID); err != nil {
		t.Errorf("Lock: %v", err)
	}
	var conf pexip.Conference
	if err := c.GetObject(ctx, pexip.ResConference, confs[0].ID, &conf); err != nil || !conf.IsLocked {
		t.Errorf("after lock: is_locked %v (%v)", conf.IsLocked, err)
	}

	locs, err := c.Locations(ctx)
	if err != nil || len(locs) == 0 {
		t.Fatalf("Locations: %v", err)
	}
	newID, err := c.Dial(ctx, pexip.DialRequest{ConferenceAlias: alias, Destination: "sip:bob@example.com", SystemLocation: locs[0].Name, Role: "guest"})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	s.Advance(5 * time.Second)
	parts, _ := c.Participants(ctx, nil)
	found := false
	for _, p := range parts {
		found = found || p.ID == newID
	}
	if !found {
		t.Errorf("dialled participant %s not among %d participants", newID, len(parts))
	}
}

func TestSimDialNotRetriedAfter503(t *testing.T) {
	s, c := startSim(t)
	ctx := context.Background()
	_, alias := firstAlias(t, c)
	joinN(t, s, alias, 1)
	locs, _ := c.Locations(ctx)
	before, _ := c.Participants(ctx, nil)

	// F06: the dial takes effect, then the node answers 503.
	s.Faults().FailAfterWrite("POST", "/api/admin/command/v1/participant/dial/", 503, 1)
	_, err := c.Dial(ctx, pexip.DialRequest{ConferenceAlias: alias, Destination: "sip:carol@example.com", SystemLocation: locs[0].Name})
	if e := asAPI(err); e == nil || e.Status != 503 {
		t.Fatalf("Dial: %v, want the 503", err)
	}
	s.Advance(5 * time.Second)
	after, _ := c.Participants(ctx, nil)
	if len(after) != len(before)+1 {
		t.Errorf("participants %d -> %d, want exactly one new", len(before), len(after))
	}
	if n := s.Stats().Count("POST", "/api/admin/command/v1/participant/dial/"); n != 1 {
		t.Errorf("dial requests = %d, want 1", n)
	}
}

func TestSimReads(t *testing.T) {
	s, c := startSim(t)
	ctx := context.Background()
	_, alias := firstAlias(t, c)
	pid := joinN(t, s, alias, 2)[0]
	s.Advance(30 * time.Second)

	streams, err := c.MediaStreams(ctx, pid)
	if err != nil || len(streams) == 0 || !streams[0].StartTime.IsSet() || streams[0].EndTime.IsSet() {
		t.Errorf("MediaStreams = %+v, %v; want running streams", streams, err)
	}
	if nodes, err := c.Nodes(ctx); err != nil || len(nodes) == 0 {
		t.Errorf("Nodes: %d, %v", len(nodes), err)
	}
	if lic, err := c.Licensing(ctx); err != nil || lic.PortTotal == 0 {
		t.Errorf("Licensing = %+v, %v", lic, err)
	}
	if _, err := c.Alarms(ctx); err != nil {
		t.Errorf("Alarms: %v", err)
	}
	if _, err := c.Registrations(ctx); err != nil {
		t.Errorf("Registrations: %v", err)
	}
	if _, err := c.Aliases(ctx, nil); err != nil {
		t.Errorf("Aliases: %v", err)
	}
	if _, err := c.AutoParticipants(ctx, nil); err != nil {
		t.Errorf("AutoParticipants: %v", err)
	}
	if _, err := c.RoutingRules(ctx, nil); err != nil {
		t.Errorf("RoutingRules: %v", err)
	}
	if locs, err := c.LocationConfigs(ctx); err != nil || len(locs) == 0 {
		t.Errorf("LocationConfigs: %d, %v", len(locs), err)
	}
	schema, err := c.Schema(ctx, pexip.ResService)
	if err != nil || schema.Fields["name"].Type != "string" || !schema.Allows("patch", true) {
		t.Errorf("Schema = %+v, %v", schema, err)
	}

	// Once everyone leaves, the conference is history.
	live, _ := s.Platform().Status("participant")
	for _, p := range live {
		s.Platform().Leave(fmt.Sprint(p["id"]))
	}
	s.Advance(time.Second)
	hist, err := c.ConferenceHistory(ctx, url.Values{"order_by": {"-end_time"}})
	if err != nil || len(hist.Objects) == 0 || !hist.Objects[0].EndTime.IsSet() {
		t.Fatalf("ConferenceHistory = %+v, %v", hist, err)
	}
	parts, err := c.ParticipantHistory(ctx, url.Values{"conference": {hist.Objects[0].ID}})
	if err != nil || len(parts.Objects) != 2 {
		t.Errorf("ParticipantHistory = %d objects, %v; want 2", len(parts.Objects), err)
	}
}

func TestSimInFlightBound(t *testing.T) {
	s, _ := startSim(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t, srv.URL, func(cfg *pexip.Config) { cfg.Username, cfg.Password = sim.DefaultUser, sim.DefaultPassword })
	s.Faults().SetLatency(20 * time.Millisecond)
	s.Stats().Reset()
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if _, err := c.Nodes(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st := s.Stats(); st.MaxInFlight != 1 || st.Total != 6 {
		t.Errorf("max in flight %d over %d requests, want 1 over 6", st.MaxInFlight, st.Total)
	}
}

func TestSimRateLimitRetry(t *testing.T) {
	s, _ := startSim(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := newClient(t, srv.URL, func(cfg *pexip.Config) { cfg.Username, cfg.Password = sim.DefaultUser, sim.DefaultPassword })
	var waits sleeps
	waits.install(c)
	// Let the bucket refill during the recorded wait, instead of the second asked for.
	waits.then = func() { time.Sleep(60 * time.Millisecond) }
	s.Faults().SetRateLimit(1, 50*time.Millisecond)
	for range 3 {
		if _, err := c.Conferences(context.Background()); err != nil {
			t.Fatalf("Conferences: %v", err)
		}
	}
	if len(waits.waits()) == 0 {
		t.Fatal("no 429 was met; the test proves nothing")
	}
	for _, d := range waits.waits() {
		if d != time.Second {
			t.Errorf("wait %v, want the Retry-After of 1s", d)
		}
	}
}

func TestSimOAuth(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s := sim.New(sim.Options{Seed: 1, Clock: platform.NewManualClock(time.Now()),
		OAuthClients: map[string]*ecdsa.PublicKey{"console": &key.PublicKey}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	der, _ := x509.MarshalECPrivateKey(key)
	c := newClient(t, srv.URL, func(cfg *pexip.Config) {
		cfg.Username, cfg.Password = "", ""
		cfg.OAuth = &pexip.OAuthConfig{ClientID: "console", PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})}
	})
	for range 2 {
		if _, err := c.Nodes(context.Background()); err != nil {
			t.Fatalf("Nodes over OAuth: %v", err)
		}
	}
	if n := s.Stats().Count("POST", "/oauth/token/"); n > 1 {
		t.Errorf("token requests = %d, want 1 (cached)", n)
	}
}
