package sim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"pexops/pexip/sim/platform"
)

// busyFixture is a demo simulator after some activity, with every kind of status and
// history object present: waiting, transferred and departed participants, a backplane
// between two locations, a failed and recovered node (alarms and node events).
func busyFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, Options{Seed: 7, Demo: true})
	p := f.sim.Platform()
	f.sim.Advance(2 * time.Minute)
	join := func(alias, loc, role string) string {
		id, err := p.Join(platform.JoinSpec{Alias: alias, Location: loc, Role: role})
		if err != nil {
			t.Fatalf("join %s: %v", alias, err)
		}
		return id
	}
	// A backplane: one service, two locations.
	join("meet.alice@example.com", "London", "chair")
	join("meet.alice@example.com", "New York", "chair")
	// A waiting guest: a PIN service with guests and no host yet.
	join("support@example.com", "London", "guest")
	// A transfer, then both legs end.
	moved := join("meet.bob@example.com", "Oslo", "chair")
	f.sim.Advance(30 * time.Second)
	if st, body := p.Command("participant", "transfer", map[string]string{"participant_id": moved,
		"conference_alias": "meet.carol@example.com", "role": "chair"}); st != 202 {
		t.Fatalf("transfer: %d %v", st, body)
	}
	f.sim.Advance(30 * time.Second)
	p.Leave(moved)
	if !p.FailNode("lon-conf-01") {
		t.Fatal("FailNode refused")
	}
	f.sim.Advance(10 * time.Second)
	p.RecoverNode("lon-conf-01")
	f.sim.Advance(time.Minute)
	// A node left failed keeps a raised alarm in status.
	if !p.FailNode("nyc-conf-03") {
		t.Fatal("FailNode refused")
	}
	f.sim.Advance(time.Second)
	return f
}

// schemaFields reads the field names of a schema document.
func schemaFields(t *testing.T, f *fixture, path string) map[string]bool {
	t.Helper()
	var doc struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if err := json.Unmarshal(f.get(path).body, &doc); err != nil || len(doc.Fields) == 0 {
		t.Fatalf("schema %s: %v", path, err)
	}
	out := map[string]bool{}
	for k := range doc.Fields {
		out[k] = true
	}
	return out
}

// keyDrift lists the keys obj has beyond the schema (+) and the schema fields obj lacks (-).
func keyDrift(schema map[string]bool, obj map[string]any, except map[string]bool) []string {
	var out []string
	for k := range obj {
		if !schema[k] && !except[k] {
			out = append(out, "+"+k)
		}
	}
	for k := range schema {
		if _, ok := obj[k]; !ok && !except[k] {
			out = append(out, "-"+k)
		}
	}
	sort.Strings(out)
	return out
}

// driftCheck compares every object of a list with its schema, reporting each difference
// once per resource.
func driftCheck(t *testing.T, what string, schema map[string]bool, objs []map[string]any, except map[string]bool) {
	t.Helper()
	seen := map[string]bool{}
	for _, o := range objs {
		for _, d := range keyDrift(schema, o, except) {
			if !seen[d] {
				seen[d] = true
				t.Errorf("%s: object key %s against its schema (+ not in schema, - never sent)", what, d)
			}
		}
	}
}

// writeOnly lists the fields of a configuration schema that are never read back: the
// documented write-only fields (passwords, uploaded files).
func writeOnly(res *resource) map[string]bool {
	out := map[string]bool{}
	for _, fd := range res.fields {
		if fd.writeOnly {
			out[fd.name] = true
		}
	}
	return out
}

// TestObjectsMatchSchemas: for every status and history resource with objects, and every
// configuration resource with seeded objects, each object carries exactly the fields its
// schema advertises (write-only configuration fields excepted); sub-resources and nested
// history media streams too.
func TestObjectsMatchSchemas(t *testing.T) {
	f := busyFixture(t)
	for _, api := range []string{"status", "history", "configuration"} {
		for name, res := range f.sim.cat.apis[api] {
			base := "/api/admin/" + api + "/v1/" + name + "/"
			_, objs := f.list(base + "?limit=0")
			if len(objs) == 0 {
				continue
			}
			except := map[string]bool{}
			if api == "configuration" {
				except = writeOnly(res)
			}
			driftCheck(t, base, schemaFields(t, f, base+"schema/"), objs, except)
		}
	}
	f.checkSubSchemas(t)
}

func (f *fixture) checkSubSchemas(t *testing.T) {
	mediaSchema := func(api string) map[string]bool {
		return fieldSet(f.sim.cat.subs[api+"/participant/media_stream"])
	}
	var nested, sub []map[string]any
	_, hp := f.list(history + "participant/?limit=0")
	_, hb := f.list(history + "backplane/?limit=0")
	for _, o := range append(hp, hb...) {
		for _, s := range o["media_streams"].([]any) {
			nested = append(nested, s.(map[string]any))
		}
	}
	if len(nested) == 0 {
		t.Fatal("no nested history media streams")
	}
	driftCheck(t, "nested history media_stream", mediaSchema("history"), nested, nil)

	_, sp := f.list(status + "participant/?limit=0")
	_, sb := f.list(status + "backplane/?limit=0")
	for _, o := range sp {
		sub = append(sub, f.mustObjects(status+"participant/"+o["id"].(string)+"/media_stream/")...)
	}
	for _, o := range sb {
		sub = append(sub, f.mustObjects(status+"backplane/"+o["id"].(string)+"/media_stream/")...)
	}
	if len(sub) == 0 || len(sb) == 0 {
		t.Fatalf("no status media streams (%d) or backplanes (%d)", len(sub), len(sb))
	}
	driftCheck(t, "status media_stream", mediaSchema("status"), sub, nil)
}

func fieldSet(res *resource) map[string]bool {
	out := map[string]bool{}
	for _, fd := range res.fields {
		out[fd.name] = true
	}
	return out
}

// TestResourceURIsResolve: every resource_uri the simulator emits, in any list, object,
// sub-resource or nested object, answers 200 to a GET. One pass over a busy platform.
func TestResourceURIsResolve(t *testing.T) {
	f := busyFixture(t)
	uris := map[string]string{} // uri -> where it was seen
	var lists []string
	for _, api := range []string{"configuration", "status", "history"} {
		for name := range f.sim.cat.apis[api] {
			lists = append(lists, "/api/admin/"+api+"/v1/"+name+"/?limit=0")
		}
	}
	for _, l := range lists {
		_, objs := f.list(l)
		for _, o := range objs {
			collectURIs(o, l, uris)
		}
	}
	for _, sub := range f.subListsOf(uris) {
		r := f.get(sub)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", sub, r.status)
			continue
		}
		var v any
		_ = json.Unmarshal(r.body, &v)
		collectURIs(v, sub, uris)
	}
	if len(uris) < 100 {
		t.Fatalf("only %d resource URIs found", len(uris))
	}
	keys := make([]string, 0, len(uris))
	for u := range uris {
		keys = append(keys, u)
	}
	sort.Strings(keys)
	failed := 0
	for _, u := range keys {
		if r := f.get(u); r.status != http.StatusOK {
			if failed++; failed <= 20 {
				t.Errorf("GET %s (from %s): %d", u, uris[u], r.status)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d resource URIs do not resolve", failed, len(uris))
	}
}

// subListsOf returns the sub-resource URIs of the status and history objects found.
func (f *fixture) subListsOf(uris map[string]string) []string {
	var out []string
	for u := range uris {
		for _, pfx := range []string{status + "participant/", status + "backplane/",
			history + "participant/", history + "backplane/"} {
			if rest, ok := strings.CutPrefix(u, pfx); ok && strings.Count(rest, "/") == 1 {
				out = append(out, u+"media_stream/")
			}
		}
		for _, pfx := range []string{status + "worker_vm/", status + "system_location/"} {
			if rest, ok := strings.CutPrefix(u, pfx); ok && strings.Count(rest, "/") == 1 {
				out = append(out, u+"statistics/")
			}
		}
	}
	sort.Strings(out)
	return out
}

// collectURIs records every resource_uri in v, nested objects included.
func collectURIs(v any, where string, into map[string]string) {
	switch t := v.(type) {
	case map[string]any:
		if u, ok := t["resource_uri"].(string); ok && u != "" {
			if _, seen := into[u]; !seen {
				into[u] = where
			}
		}
		for _, e := range t {
			collectURIs(e, where, into)
		}
	case []any:
		for _, e := range t {
			collectURIs(e, where, into)
		}
	}
}

// TestHistoryMediaStreams: history/v1/media_stream/ lists the streams nested in history
// participants and backplanes, filters, orders and pages them, and serves each by its id.
func TestHistoryMediaStreams(t *testing.T) {
	f := busyFixture(t)
	_, parts := f.list(history + "participant/?limit=0")
	_, bps := f.list(history + "backplane/?limit=0")
	want := map[string]map[string]any{}
	for _, o := range append(parts, bps...) {
		for _, s := range o["media_streams"].([]any) {
			m := s.(map[string]any)
			want[m["resource_uri"].(string)] = m
		}
	}
	meta, all := f.list(history + "media_stream/?limit=0")
	if int(meta["total_count"].(float64)) != len(want) || len(want) == 0 {
		t.Fatalf("media_stream total_count = %v, want %d nested streams", meta["total_count"], len(want))
	}
	for _, s := range all {
		if diff := cmp.Diff(want[s["resource_uri"].(string)], s); diff != "" {
			t.Errorf("listed stream differs from the nested one (-want +got):\n%s", diff)
		}
	}
	owner := parts[len(parts)-1]
	_, mine := f.list(history + "media_stream/?participant=" + owner["id"].(string))
	if len(mine) != len(owner["media_streams"].([]any)) {
		t.Errorf("streams of %s: %d, want %d", owner["id"], len(mine), len(owner["media_streams"].([]any)))
	}
	_, page := f.list(history + "media_stream/?order_by=-id&limit=2&stream_type=audio")
	if len(page) != 2 || page[0]["id"].(float64) <= page[1]["id"].(float64) || page[0]["stream_type"] != "audio" {
		t.Errorf("ordered filtered page = %v", page)
	}
	if r := f.get(history + "media_stream/?stream_type__bogus=1&rx_bitrate=x"); r.status != http.StatusBadRequest {
		t.Errorf("bad filter: %d", r.status)
	}
	if r := f.get(history + "media_stream/999999999/"); r.status != http.StatusNotFound {
		t.Errorf("unknown stream: %d", r.status)
	}
}
