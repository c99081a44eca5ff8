package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// listFixture is a simulator holding a known set of ten aliases on a fresh service, after
// the seeded ones were deleted (ids are never reused, so the new ones do not start at 1). The
// replacer turns {N} into the id of alias N and {c} into the service's id.
func listFixture(t *testing.T, opts Options) (*fixture, *strings.Replacer) {
	t.Helper()
	f := newFixture(t, opts)
	if r := f.raw("DELETE", cfg+"conference/", "", nil); r.status != http.StatusNoContent {
		t.Fatalf("wipe: %d", r.status)
	}
	vmr := f.create("conference", map[string]any{"name": "VMR_1", "tag": "t"})
	pairs := []string{"{c}", firstID(vmr)}
	for i := range 10 {
		a := f.create("conference_alias", map[string]any{"alias": fmt.Sprintf("meet.%02d@Example.com", i),
			"conference": vmr, "description": fmt.Sprintf("desc %d", i%3)})
		pairs = append(pairs, fmt.Sprintf("{%d}", i), firstID(a))
	}
	return f, strings.NewReplacer(pairs...)
}

func aliasNames(objs []map[string]any) []string {
	out := []string{}
	for _, o := range objs {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(o["alias"].(string), "meet."), "@Example.com"))
	}
	return out
}

func TestListFilters(t *testing.T) {
	f, ids := listFixture(t, Options{})
	tests := []struct {
		query string
		want  []string
	}{
		{"alias=meet.03@Example.com", []string{"03"}},
		{"alias__exact=meet.03@Example.com", []string{"03"}},
		{"alias__iexact=MEET.03@example.COM", []string{"03"}},
		{"alias__contains=.0", []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09"}},
		{"alias__contains=example", []string{}},
		{"alias__icontains=EXAMPLE&alias__endswith=9@Example.com", []string{"09"}},
		{"alias__startswith=meet.0&description=desc 1", []string{"01", "04", "07"}},
		{"alias__istartswith=MEET.05", []string{"05"}},
		{"alias__iendswith=8@EXAMPLE.COM", []string{"08"}},
		{"alias__regex=^meet\\.0[12]", []string{"01", "02"}},
		{"alias__iregex=^MEET\\.0[12]", []string{"01", "02"}},
		{"id__lt={3}", []string{"00", "01", "02"}},
		{"id__lte={3}", []string{"00", "01", "02", "03"}},
		{"id__gt={8}", []string{"09"}},
		{"id__gte={8}", []string{"08", "09"}},
		{"id__in={1},{4},99999", []string{"01", "04"}},
		{"alias__in=meet.07@Example.com,nope", []string{"07"}},
		{"conference={c}", []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09"}},
		{"conference=/api/admin/configuration/v1/conference/2/", []string{}},
		{"conference__name=VMR_1&id={0}", []string{"00"}},
		{"conference__isnull=true", []string{}},
		{"creation_time__gte=2015-04-02T09:46:06&id={2}", []string{"02"}},
		{"creation_time__gt=2015-04-02T09:46:06.106482", []string{}},
		{"creation_time__lt=2015-04-03T00:00:00.5", []string{"00", "01", "02", "03", "04", "05", "06", "07", "08", "09"}},
		{"unknown_param=1&tenant=x&id={0}", []string{"00"}},
		{"order_by=-alias&limit=3", []string{"09", "08", "07"}},
		{"order_by=description&order_by=-alias&limit=4", []string{"09", "06", "03", "00"}},
		{"limit=2&offset=8", []string{"08", "09"}},
		{"offset=20", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q := strings.ReplaceAll(ids.Replace(tt.query), " ", "%20")
			_, objs := f.list(cfg + "conference_alias/?" + q)
			if diff := cmp.Diff(tt.want, aliasNames(objs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListTypedFilters(t *testing.T) {
	f := newFixture(t, Options{})
	theme := f.create("ivr_theme", map[string]any{"name": "Blue"})
	f.create("conference", map[string]any{"name": "Guests", "allow_guests": true, "participant_limit": 5,
		"ivr_theme": theme, "aliases": []any{map[string]any{"alias": "guests@example.com"}}})
	tests := []struct {
		query string
		want  int
	}{
		{"name=Guests&allow_guests=true", 1},
		{"name=Guests&allow_guests=True", 1},
		{"name=Guests&allow_guests=false", 0},
		{"name=Guests&allow_guests=False", 0},
		{"name=Guests&participant_limit__gte=5", 1},
		{"name=Guests&participant_limit__gt=5", 0},
		{"name=Guests&participant_limit=5.0", 1},
		{"name=Guests&participant_limit__isnull=true", 0},
		{"name=Guests&participant_limit=None", 0},
		{"aliases__alias=guests@example.com", 1},
		{"aliases__alias__istartswith=GUESTS", 1},
		{"aliases__alias=nobody@example.com", 0},
		{"ivr_theme__name=Blue", 1},
		{"ivr_theme=" + theme, 1},
		{"ivr_theme__isnull=false&name=Guests", 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if _, objs := f.list(cfg + "conference/?" + tt.query); len(objs) != tt.want {
				t.Errorf("got %d objects, want %d", len(objs), tt.want)
			}
		})
	}
}

// TestListErrors: the 400 bodies of §3.4 and of Tastypie's limit/offset checks.
func TestListErrors(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		path, want string
	}{
		{"conference/?call_type=video", "The 'call_type' field does not allow filtering."},
		{"conference/?order_by=foo", "No matching 'foo' field for ordering on."},
		{"conference/?order_by=call_type", "The 'call_type' field does not allow ordering."},
		{"conference/?name__lt__foo=1", "Lookups are not allowed more than one level deep on the 'name' field."},
		{"conference/?limit=abc", "Invalid limit 'abc' provided. Please provide a positive integer."},
		{"conference/?limit=-1", "Invalid limit '-1' provided. Please provide a positive integer >= 0."},
		{"conference/?offset=x", "Invalid offset 'x' provided. Please provide an integer."},
		{"conference/?offset=-5", "Invalid offset '-5' provided. Please provide a positive integer >= 0."},
		{"conference/?participant_limit__gte=many", "Invalid value 'many' provided for the 'participant_limit' field."},
		{"conference/?name__regex=(", "Invalid regular expression '(' for the 'name' field."},
		{"system_backup/?size=1", "The 'size' field does not allow filtering."},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := f.get(cfg + tt.path)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", r.status)
			}
			if diff := cmp.Diff(map[string]any{"error": tt.want}, r.json(t)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestListAllowedSpecifiers: a filtering entry listing specifiers allows only those.
func TestListAllowedSpecifiers(t *testing.T) {
	res := newResource("status", "thing", "", false, "name string f=exact|startswith o # Name.")
	res.render("")
	if _, err := parseQuery("name__startswith=a", res, nil, 0); err != nil {
		t.Errorf("startswith refused: %v", err)
	}
	_, err := parseQuery("name__contains=a", res, nil, 0)
	want := "'contains' is not an allowed filter on the 'name' field."
	if err == nil || err.Error() != want {
		t.Errorf("contains: %v, want %q", err, want)
	}
}

func TestListMeta(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		query string
		want  map[string]any
	}{
		{"default page", Options{}, "",
			map[string]any{"limit": 20.0, "offset": 0.0, "total_count": 10.0, "next": nil, "previous": nil}},
		{"next carries filters then limit and offset", Options{}, "alias__startswith=meet&format=json&limit=3",
			map[string]any{"limit": 3.0, "offset": 0.0, "total_count": 10.0, "previous": nil,
				"next": "/api/admin/configuration/v1/conference_alias/?alias__startswith=meet&format=json&limit=3&offset=3"}},
		{"middle page", Options{}, "limit=3&offset=3",
			map[string]any{"limit": 3.0, "offset": 3.0, "total_count": 10.0,
				"next":     "/api/admin/configuration/v1/conference_alias/?limit=3&offset=6",
				"previous": "/api/admin/configuration/v1/conference_alias/?limit=3&offset=0"}},
		{"short previous is null", Options{}, "limit=20&offset=5",
			map[string]any{"limit": 20.0, "offset": 5.0, "total_count": 10.0, "next": nil, "previous": nil}},
		{"limit 0 means all, no next or previous", Options{}, "limit=0",
			map[string]any{"limit": 0.0, "offset": 0.0, "total_count": 10.0}},
		{"max limit caps", Options{MaxLimit: 4}, "limit=100",
			map[string]any{"limit": 4.0, "offset": 0.0, "total_count": 10.0, "previous": nil,
				"next": "/api/admin/configuration/v1/conference_alias/?limit=4&offset=4"}},
		{"max limit caps limit 0", Options{MaxLimit: 4}, "limit=0",
			map[string]any{"limit": 4.0, "offset": 0.0, "total_count": 10.0, "previous": nil,
				"next": "/api/admin/configuration/v1/conference_alias/?limit=4&offset=4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := listFixture(t, tt.opts)
			meta, _ := f.list(cfg + "conference_alias/?" + tt.query)
			if diff := cmp.Diff(tt.want, meta); diff != "" {
				t.Errorf("meta (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListFollowNext: following meta.next from page to page returns every object once.
func TestListFollowNext(t *testing.T) {
	f, _ := listFixture(t, Options{})
	seen := map[string]bool{}
	next := cfg + "conference_alias/?limit=3"
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("next never ends")
		}
		meta, objs := f.list(next)
		for _, o := range objs {
			if seen[o["alias"].(string)] {
				t.Errorf("%s seen twice", o["alias"])
			}
			seen[o["alias"].(string)] = true
		}
		next, _ = meta["next"].(string)
	}
	if len(seen) != 10 {
		t.Errorf("saw %d aliases, want 10", len(seen))
	}
}

func TestQueryParamsOrder(t *testing.T) {
	got := parseParams("b=2&a=%3D1&&c&bad=%zz")
	want := []param{{"b", "2"}, {"a", "=1"}, {"c", ""}, {"bad", "%zz"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(param{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// FuzzParseQuery: any query either parses or is refused with a 400 message; never a panic,
// and a parsed limit or offset is never negative.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{"", "limit=0", "name__icontains=a&order_by=-name", "aliases__alias__startswith=x",
		"creation_time__gte=2015-04-08T00:00:00", "id__in=1,2", "x=%zz", "limit=-1&offset=a", "name__regex=("} {
		f.Add(seed)
	}
	res := newCatalog("").lookup("configuration", "conference")
	hist := newCatalog("").lookup("history", "participant")
	cat := newCatalog("")
	resolve := func(r *resource, fd *field) *resource { return cat.lookup(r.api, fd.target) }
	f.Fuzz(func(t *testing.T, raw string) {
		for _, r := range []*resource{res, hist} {
			q, err := parseQuery(raw, r, resolve, 0)
			if err != nil {
				if _, ok := err.(*badRequest); !ok {
					t.Fatalf("error of type %T", err)
				}
				if _, jerr := json.Marshal(map[string]string{"error": err.Error()}); jerr != nil {
					t.Fatal(jerr)
				}
				continue
			}
			if q.limit < 0 || q.offset < 0 {
				t.Fatalf("negative paging %d %d", q.limit, q.offset)
			}
			applyQuery(q, plainSource{}, []Object{{"name": "a", "id": 1.0, "media_streams": []any{map[string]any{"tx_packet_loss": 1.0}}}},
				func(o Object) Object { return o })
		}
	})
}

// TestListOrderTyped: numbers, booleans and datetimes order by value, unset first.
func TestListOrderTyped(t *testing.T) {
	f := newFixture(t, Options{})
	if r := f.raw("DELETE", cfg+"conference/", "", nil); r.status != http.StatusNoContent {
		t.Fatalf("wipe: %d", r.status)
	}
	for i, lim := range []any{100, nil, 9, 20} {
		f.clock.Advance(time.Duration(4-i) * time.Second)
		f.create("conference", map[string]any{"name": fmt.Sprintf("s%d", i), "participant_limit": lim, "allow_guests": i%2 == 0})
	}
	tests := []struct {
		order string
		want  []string
	}{
		{"participant_limit", []string{"s1", "s2", "s3", "s0"}},
		{"-participant_limit", []string{"s0", "s3", "s2", "s1"}},
		{"allow_guests&order_by=name", []string{"s1", "s3", "s0", "s2"}},
		{"-creation_time", []string{"s3", "s2", "s1", "s0"}},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			_, objs := f.list(cfg + "conference/?order_by=" + tt.order)
			var got []string
			for _, o := range objs {
				got = append(got, o["name"].(string))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
