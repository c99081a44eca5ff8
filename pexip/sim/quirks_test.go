package sim

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip/sim/platform"
)

// TestQuirks reproduces the §11 quirks of the fact sheet that other tests do not already
// pin down (the numbers are the sheet's).
func TestQuirks(t *testing.T) {
	naive := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$`)
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"3 nested ADPs lack resource_uri", func(t *testing.T) {
			f := newFixture(t, Options{})
			adps := f.get(cfg + "conference/1/").json(t)["automatic_participants"].([]any)
			if len(adps) == 0 {
				t.Fatal("seeded service 1 has no ADP")
			}
			if _, has := adps[0].(map[string]any)["resource_uri"]; has {
				t.Errorf("nested ADP has resource_uri")
			}
		}},
		{"5 and 6 stringified lists and proxy_node", func(t *testing.T) {
			f, alice, bob := liveFixture(t)
			p := f.get(status + "participant/" + bob + "/").json(t)
			if _, ok := p["proxy_node"].(string); !ok {
				t.Errorf("status proxy_node = %#v, want a string", p["proxy_node"])
			}
			for _, k := range []string{"bucketed_call_quality", "historic_call_quality"} {
				if v, present := p[k]; present {
					if _, ok := v.(string); !ok {
						t.Errorf("%s = %#v, want a string holding a list", k, v)
					}
				}
			}
			f.sim.Platform().Leave(bob)
			f.sim.Platform().Leave(alice)
			f.sim.Advance(time.Second)
			_, hist := f.list(history + "participant/?display_name=Bob")
			if len(hist) != 1 || hist[0]["proxy_node"] != "None" {
				t.Errorf("history proxy_node = %v, want the string None", hist)
			}
		}},
		{"8 datetimes naive, fraction only when not zero", func(t *testing.T) {
			f := newFixture(t, Options{Clock: platform.NewManualClock(time.Date(2016, 1, 28, 15, 36, 16, 0, time.UTC))})
			got := f.get(f.create("conference", map[string]any{"name": "Whole"})).json(t)["creation_time"]
			if got != "2016-01-28T15:36:16" {
				t.Errorf("creation_time = %v", got)
			}
			g := newFixture(t, Options{})
			if ct := g.get(cfg + "conference/1/").json(t)["creation_time"].(string); !naive.MatchString(ct) {
				t.Errorf("creation_time %q is not naive ISO-8601", ct)
			}
		}},
		{"9 ids: integers for configuration, strings for status", func(t *testing.T) {
			f, alice, _ := liveFixture(t)
			if _, ok := f.get(cfg + "conference/1/").json(t)["id"].(float64); !ok {
				t.Error("configuration id is not a number")
			}
			if _, ok := f.get(status + "participant/" + alice + "/").json(t)["id"].(string); !ok {
				t.Error("status participant id is not a string")
			}
		}},
		{"14 PUT on a list replaces the collection", func(t *testing.T) {
			f := newFixture(t, Options{})
			r := f.send("PUT", cfg+"ivr_theme/", map[string]any{"objects": []any{map[string]any{"name": "Only"}}})
			if r.status != http.StatusNoContent {
				t.Fatalf("PUT list: %d %s", r.status, r.body)
			}
			_, themes := f.list(cfg + "ivr_theme/")
			if len(themes) != 1 || themes[0]["name"] != "Only" {
				t.Errorf("themes = %v", themes)
			}
			if th := f.get(cfg + "conference/1/").json(t)["ivr_theme"]; th != nil {
				t.Errorf("service still points at a replaced theme: %v", th)
			}
		}},
		{"22 role values are chair and guest", func(t *testing.T) {
			f := newFixture(t, Options{})
			fields := f.get(cfg + "automatic_participant/schema/").json(t)["fields"].(map[string]any)
			if diff := cmp.Diff([]any{"guest", "chair"}, fields["role"].(map[string]any)["valid_choices"]); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}},
		{"25 schema default of id is the empty string", func(t *testing.T) {
			f := newFixture(t, Options{})
			fields := f.get(cfg + "conference/schema/").json(t)["fields"].(map[string]any)
			id := fields["id"].(map[string]any)
			if id["default"] != "" || id["type"] != "integer" {
				t.Errorf("id field = %v", id)
			}
			if _, has := fields["resource_uri"].(map[string]any)["default"]; has {
				t.Error("resource_uri has a default")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}
