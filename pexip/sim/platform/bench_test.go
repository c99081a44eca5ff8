package platform

import (
	"testing"
	"time"
)

// newBenchPlatform is a busy deployment: 10,000 services, ~200 conferences, ~2,000
// participants, after ten simulated minutes so that plans have filled the meetings.
func newBenchPlatform(b *testing.B) (*Platform, *ManualClock) {
	b.Helper()
	seed := DemoSeed(1, 10000)
	clk := NewManualClock(t0)
	p := New(Options{Seed: 1, Clock: clk, Activity: true, TargetConferences: 200, TargetParticipants: 2000},
		StaticDirectory(SeedServices(seed)), seed.Locations, seed.Nodes)
	clk.Advance(10 * time.Minute)
	p.Step()
	parts, _ := p.Status("participant")
	confs, _ := p.Status("conference")
	b.Logf("%d conferences, %d participants", len(confs), len(parts))
	return p, clk
}

// BenchmarkStep is one second of model time at about 2,000 participants (the real-clock
// simulator calls Step once a second).
func BenchmarkStep(b *testing.B) {
	p, clk := newBenchPlatform(b)
	for b.Loop() {
		clk.Advance(time.Second)
		p.Step()
	}
}

// BenchmarkStatusParticipant is the console's poll of every participant between Steps.
func BenchmarkStatusParticipant(b *testing.B) {
	p, clk := newBenchPlatform(b)
	for b.Loop() {
		clk.Advance(2 * time.Second)
		p.Step()
		if l, _ := p.Status("participant"); len(l) == 0 {
			b.Fatal("no participants")
		}
	}
}

// BenchmarkStatusParticipantNoStep is the same poll when nothing changed in between.
func BenchmarkStatusParticipantNoStep(b *testing.B) {
	p, _ := newBenchPlatform(b)
	for b.Loop() {
		if l, _ := p.Status("participant"); len(l) == 0 {
			b.Fatal("no participants")
		}
	}
}

// BenchmarkHistoryParticipant lists a full history of 10,000 conferences.
func BenchmarkHistoryParticipant(b *testing.B) {
	p, clk := newBenchPlatform(b)
	for len(p.hist.confs) < 10000 {
		clk.Advance(30 * time.Minute)
		p.Step()
	}
	l, _ := p.History("participant")
	b.ReportMetric(float64(len(l)), "history_participants")
	b.ResetTimer()
	for b.Loop() {
		p.History("participant")
	}
}
