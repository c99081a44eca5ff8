package platform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDemoSeed(t *testing.T) {
	s := DemoSeed(1, 0)
	if len(s.Services) != 30 {
		t.Errorf("%d services by default, want 30", len(s.Services))
	}
	count := map[string]int{}
	for _, svc := range s.Services {
		count[svc.ServiceType]++
		if svc.PIN != "" && svc.GuestPIN != "" {
			count["host and guest PIN"]++
		}
		if svc.MatchString != "" && svc.ReplaceString != "" {
			count["match/replace"]++
		}
	}
	if count["lecture"] < 2 || count["two_stage_dialing"] != 1 || count["test_call"] != 1 ||
		count["host and guest PIN"] < 2 || count["match/replace"] != 1 {
		t.Errorf("service mix = %v", count)
	}
	perLoc := map[int]int{}
	for _, n := range s.Nodes {
		if n.NodeType == "CONFERENCING" && !n.CloudBursting {
			perLoc[n.LocationID]++
		}
	}
	for _, loc := range []int{locLondon, locOslo, locNewYork} {
		if perLoc[loc] < 2 || perLoc[loc] > 4 {
			t.Errorf("location %d has %d nodes, want 2-4", loc, perLoc[loc])
		}
	}
	if len(s.IVRThemes) == 0 || len(s.RoutingRules) == 0 || len(s.AutoParticipants) == 0 {
		t.Error("seed lacks themes, rules or ADPs")
	}
	if diff := cmp.Diff(s, DemoSeed(1, 0)); diff != "" {
		t.Errorf("same seed, different configuration (-first +second):\n%s", diff)
	}
}

func TestDemoSeedLarge(t *testing.T) {
	s := DemoSeed(1, 10000)
	if len(s.Services) != 10000 {
		t.Fatalf("%d services, want 10000", len(s.Services))
	}
	names, aliases := map[string]bool{}, map[string]bool{}
	for _, svc := range s.Services {
		if names[svc.Name] {
			t.Fatalf("duplicate service name %q", svc.Name)
		}
		names[svc.Name] = true
		for _, a := range svc.Aliases {
			if aliases[strings.ToLower(a)] {
				t.Fatalf("duplicate alias %q", a)
			}
			aliases[strings.ToLower(a)] = true
		}
	}
}

func TestSeedServicesLinksADPs(t *testing.T) {
	svcs := SeedServices(DemoSeed(1, 0))
	if svcs[0].Name != "Board Room" || len(svcs[0].AutoDial) != 1 || svcs[0].AutoDial[0].Alias != "recorder@example.com" {
		t.Errorf("Board Room = %+v, want the recorder ADP", svcs[0])
	}
	if svcs[0].ID != 1 || svcs[29].ID != 30 {
		t.Errorf("ids %d..%d, want 1..30", svcs[0].ID, svcs[29].ID)
	}
}

func BenchmarkDemoSeed10000(b *testing.B) {
	for b.Loop() {
		DemoSeed(1, 10000)
	}
}
