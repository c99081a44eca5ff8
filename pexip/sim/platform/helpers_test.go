package platform

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// Aliases of demo services used by the tests.
const (
	aliasBridge = "support@example.com"      // host PIN, guests allowed, limit 20, no ADP
	aliasOpen   = "oslo.project@example.com" // no PIN: everyone is a host
	aliasAlice  = "meet.alice@example.com"
	aliasBob    = "meet.bob@example.com"
	aliasBoard  = "boardroom@example.com" // host PIN, guests, an ADP (the recorder)
)

func newTest(t testing.TB, opts Options) (*Platform, *ManualClock) {
	t.Helper()
	seed := DemoSeed(1, opts.TargetConferences*3)
	clk := NewManualClock(t0)
	opts.Clock = clk
	return New(opts, StaticDirectory(SeedServices(seed)), seed.Locations, seed.Nodes), clk
}

func advance(p *Platform, clk *ManualClock, d time.Duration) {
	clk.Advance(d)
	p.Step()
}

func mustJoin(t testing.TB, p *Platform, spec JoinSpec) string {
	t.Helper()
	id, err := p.Join(spec)
	if err != nil {
		t.Fatalf("Join(%+v): %v", spec, err)
	}
	return id
}

func status(t testing.TB, p *Platform, resource string) []Object {
	t.Helper()
	l, ok := p.Status(resource)
	if !ok {
		t.Fatalf("Status(%q) not known", resource)
	}
	return l
}

func historyOf(t testing.TB, p *Platform, resource string) []Object {
	t.Helper()
	l, ok := p.History(resource)
	if !ok {
		t.Fatalf("History(%q) not known", resource)
	}
	return l
}

func participantOf(t testing.TB, p *Platform, id string) Object {
	t.Helper()
	o, ok := p.StatusDetail("participant", id)
	if !ok {
		t.Fatalf("participant %s not in status", id)
	}
	return o
}

func conferenceNamed(p *Platform, name string) Object {
	l, _ := p.Status("conference")
	for _, c := range l {
		if c["name"] == name {
			return c
		}
	}
	return nil
}

func command(p *Platform, group, name string, fields map[string]string) (int, any) {
	return p.Command(group, name, fields)
}

func okBody() any { return Object{"status": "success", "message": "", "data": nil} }
