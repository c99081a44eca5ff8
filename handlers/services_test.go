package handlers

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"pexops/views"
)

func TestCheckValuesAgreesWithPexip(t *testing.T) {
	specs := []fieldSpec{{name: "pin", kind: kPIN}, {name: "limit", kind: kInt}, {name: "re", kind: kRegex},
		{name: "name", maxLen: 5}}
	tests := []struct {
		name      string
		values    formValues
		wantErrs  []string // fields with errors
		wantWarns []string
	}{
		{"empty is fine", formValues{}, nil, nil},
		{"4 digits", formValues{"pin": "1234"}, nil, nil},
		{"20 digits and #", formValues{"pin": "12345678901234567890#"}, nil, nil},
		{"3 digits", formValues{"pin": "123"}, []string{"pin"}, nil},
		{"21 digits", formValues{"pin": "123456789012345678901"}, []string{"pin"}, nil},
		{"letters", formValues{"pin": "12a4"}, []string{"pin"}, nil},
		{"hash inside", formValues{"pin": "12#34"}, []string{"pin"}, nil},
		{"whole number", formValues{"limit": "25"}, nil, nil},
		{"not a number", formValues{"limit": "25 people"}, []string{"limit"}, nil},
		{"five runes", formValues{"name": "ÆØÅæø"}, nil, nil},
		{"six runes", formValues{"name": "ÆØÅæøå"}, []string{"name"}, nil},
		{"plain regex", formValues{"re": `9(\d+)@.*`}, nil, nil},
		{"unbalanced paren", formValues{"re": `9(\d+`}, []string{"re"}, nil},
		{"stray paren", formValues{"re": `9\d+)`}, []string{"re"}, nil},
		{"open bracket", formValues{"re": `[0-9`}, []string{"re"}, nil},
		{"repeat of nothing", formValues{"re": `*abc`}, []string{"re"}, nil},
		// Python reads these; RE2 does not: a warning, never a refusal.
		{"look-ahead", formValues{"re": `(?!0)\d+`}, nil, []string{"re"}},
		{"back-reference", formValues{"re": `(a)\1`}, nil, []string{"re"}},
		{"python end anchor", formValues{"re": `abc\Z`}, nil, []string{"re"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs, warns := checkValues(specs, tt.values)
			var gotErrs, gotWarns []string
			for _, s := range specs {
				if len(errs[s.name]) > 0 {
					gotErrs = append(gotErrs, s.name)
				}
				if warns[s.name] != "" {
					gotWarns = append(gotWarns, s.name)
				}
			}
			if diff := cmp.Diff(tt.wantErrs, gotErrs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarns, gotWarns); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPatchBodyIsExactlyTheChangedFields(t *testing.T) {
	old := formValues{"name": "Room", "allow_guests": "true", "pin": "1234", "participant_limit": "25",
		"guest_view": "one_main_seven_pips", "ivr_theme": "/api/admin/configuration/v1/ivr_theme/2/", "aliases": "a@x"}
	tests := []struct {
		name string
		new  formValues
		want map[string]any
	}{
		{"nothing changed", old, map[string]any{}},
		{"untick, clear PIN, clear limit (F04)", with(old, "allow_guests", "false", "pin", "", "participant_limit", ""),
			map[string]any{"allow_guests": false, "pin": "", "participant_limit": nil}},
		{"clear a nullable choice and a relation", with(old, "guest_view", "", "ivr_theme", ""),
			map[string]any{"guest_view": nil, "ivr_theme": nil}},
		{"a number is sent as a number", with(old, "participant_limit", "30"), map[string]any{"participant_limit": 30}},
		{"aliases are not a field of the object", with(old, "aliases", "b@x"), map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := patchBody(changedFields(serviceSpecs, old, tt.new), tt.new)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PATCH body (-want +got):\n%s", diff)
			}
		})
	}
}

func with(v formValues, kv ...string) formValues {
	out := formValues{}
	for k, val := range v {
		out[k] = val
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestValuesFromObjectReadsPexipShapes(t *testing.T) {
	obj := map[string]any{"name": "VMR_1", "allow_guests": false, "participant_limit": nil,
		"max_callrate_in": float64(2048), "ivr_theme": map[string]any{"id": float64(3), "name": "Dark"},
		"system_location": "/api/admin/configuration/v1/system_location/1/",
		"aliases":         []any{map[string]any{"alias": "meet@example.com", "id": float64(1)}, map[string]any{"alias": "meet"}}}
	got := valuesFromObject(serviceSpecs, obj)
	want := map[string]string{"name": "VMR_1", "allow_guests": "false", "participant_limit": "",
		"max_callrate_in": "2048", "ivr_theme": "/api/admin/configuration/v1/ivr_theme/3/",
		"system_location": "/api/admin/configuration/v1/system_location/1/", "aliases": "meet@example.com\nmeet"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
}

func TestCSVSafeDefusesFormulasAndRoundTrips(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Room", "Room"}, {"", ""}, {"=1+1", "'=1+1"}, {"+44 20", "'+44 20"}, {"-Room", "'-Room"},
		{"@SUM(A1)", "'@SUM(A1)"}, {"\tTab", "'\tTab"}, {"'quoted", "''quoted"}, {"a=b", "a=b"},
	}
	for _, tt := range tests {
		got := csvSafe(tt.in)
		if got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := csvUnsafe(got); back != tt.in {
			t.Errorf("csvUnsafe(csvSafe(%q)) = %q", tt.in, back)
		}
	}
}

func TestEvaluateRulesFirstMatchByPriority(t *testing.T) {
	rule := func(id, prio float64, match, replace string, extra ...any) map[string]any {
		r := map[string]any{"id": id, "priority": prio, "name": "r", "enable": true, "match_string": match,
			"replace_string": replace, "match_incoming_calls": true, "match_incoming_sip": true,
			"match_incoming_webrtc": true, "match_string_full": false}
		for i := 0; i+1 < len(extra); i += 2 {
			r[extra[i].(string)] = extra[i+1]
		}
		return r
	}
	rules := []map[string]any{
		rule(1, 10, `(?!x).*`, ""), // RE2 cannot read it: skipped, not a match
		rule(2, 20, `9(\d+)`, `\1@pstn.example.com`, "enable", false),
		rule(3, 30, `9(\d+)`, `+\g<1>$`),
		rule(4, 40, `.*`, ""),
	}
	tests := []struct {
		name, alias, protocol string
		winner                int
		rewritten             string
		verdicts              []string
	}{
		{"first enabled match wins", "9123", "sip", 3, "+123$", []string{"unsupported", "disabled", "match", "not-reached"}},
		{"scheme and parameters dropped", "sip:9777;transport=tls", "sip", 3, "+777$", []string{"unsupported", "disabled", "match", "not-reached"}},
		{"whole alias must match", "x9123", "sip", 4, "x9123", []string{"unsupported", "disabled", "no-match", "match"}},
		{"protocol not matched", "9123", "h323", 0, "", []string{"not-applicable", "disabled", "not-applicable", "not-applicable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evaluateRules(rules, testCall{alias: tt.alias, direction: "incoming", protocol: tt.protocol}, views.RouteTest{})
			var verdicts []string
			for _, s := range got.Steps {
				verdicts = append(verdicts, s.Verdict)
			}
			if diff := cmp.Diff(tt.verdicts, verdicts); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			winner, rewritten := 0, ""
			if got.Winner != nil {
				winner, rewritten = got.Winner.RuleID, got.Winner.Rewritten
			}
			if winner != tt.winner || rewritten != tt.rewritten {
				t.Errorf("winner %d %q, want %d %q", winner, rewritten, tt.winner, tt.rewritten)
			}
		})
	}
}

func TestMergedSearchPageIsSortedAndDeduplicated(t *testing.T) {
	obj := func(id float64, name string) map[string]any { return map[string]any{"id": id, "name": name} }
	merged := dedupe([]map[string]any{obj(3, "b"), obj(1, "c"), obj(2, "a"), obj(3, "b"), obj(4, "b")})
	sortObjects(merged, "name")
	var got []int
	for _, o := range merged {
		got = append(got, idOf(o))
	}
	if diff := cmp.Diff([]int{2, 3, 4, 1}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	// Descending by name; ties still by ascending id, as the list calls ask (order_by=id).
	sortObjects(merged, "-name")
	got = got[:0]
	for _, o := range merged {
		got = append(got, idOf(o))
	}
	if diff := cmp.Diff([]int{1, 3, 4, 2}, got); diff != "" {
		t.Errorf("descending order (-want +got):\n%s", diff)
	}
}

func TestSelectedIDsRefusesBlankAndMalformed(t *testing.T) {
	tests := []struct {
		raw  []string
		want []int
		ok   bool
	}{
		{[]string{"3", "1", "3"}, []int{1, 3}, true},
		{nil, nil, false},
		{[]string{""}, nil, false},
		{[]string{" "}, nil, false},
		{[]string{"0"}, nil, false},
		{[]string{"-2"}, nil, false},
		{[]string{"1", "/api/admin/configuration/v1/conference/"}, nil, false},
	}
	for _, tt := range tests {
		got, err := selectedIDs(tt.raw)
		if (err == nil) != tt.ok {
			t.Errorf("selectedIDs(%q) error = %v, want ok %v", tt.raw, err, tt.ok)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("selectedIDs(%q) (-want +got):\n%s", tt.raw, diff)
		}
	}
}
