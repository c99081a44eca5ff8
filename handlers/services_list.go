package handlers

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// searchField is one field the services search box reaches: its key in the URL, the schema
// field, and the filter the search uses.
type searchField struct{ key, field, filter, label string }

var searchFields = []searchField{
	{"name", "name", "name__icontains", "name"},
	{"alias", "aliases", "aliases__alias__icontains", "alias"},
	{"description", "description", "description__icontains", "description"},
	{"tag", "tag", "tag__icontains", "tag"},
	{"owner", "primary_owner_email_address", "primary_owner_email_address__icontains", "owner e-mail"},
}

// searchable is the search fields the node's schema allows filtering on.
func searchable(s *pexip.Schema) []searchField {
	var out []searchField
	for _, f := range searchFields {
		if filterable(s, f.field) {
			out = append(out, f)
		}
	}
	return out
}

// maxMergedWindow bounds how deep a search of every field pages: each of its list calls
// asks for offset+limit objects.
const maxMergedWindow = 500

// maxListOffset is the deepest offset a list page asks for.
const maxListOffset = 1_000_000_000

// serviceList is one page of services as the API gave it.
type serviceList struct {
	objects []map[string]any
	total   int
	exact   bool
	notice  string
}

// listQuery reads the list's filter state from the URL, dropping what the page cannot use.
func listQuery(c echo.Context, path string, sortOK map[string]bool, def string) views.ListQuery {
	q := views.ListQuery{Path: path, Query: strings.TrimSpace(c.QueryParam("q")),
		Type: c.QueryParam("type"), Sort: c.QueryParam("sort"), Field: c.QueryParam("in")}
	q.Offset, _ = strconv.Atoi(c.QueryParam("offset"))
	// Bound it well past any real list, so offset+limit cannot overflow into a negative
	// limit upstream.
	q.Offset = min(max(q.Offset, 0), maxListOffset)
	if !sortOK[strings.TrimPrefix(q.Sort, "-")] {
		q.Sort = def
	}
	if searchFilter(q.Field) == "" {
		q.Field = ""
	}
	return q
}

func searchFilter(key string) string {
	for _, f := range searchFields {
		if f.key == key {
			return f.filter
		}
	}
	return ""
}

// handleServicesList lists services a page at a time, filtered, sorted and counted by the
// API: one list call per page view, or one per search field when the search covers them all.
func (h *Handler) handleServicesList(c echo.Context) error {
	ctx := h.reads(c)
	schema := h.schemaOrNil(ctx, pexip.ResService)
	sortOK := sortable(schema, "name", "service_type", "tag", "primary_owner_email_address")
	q := listQuery(c, "/services", sortOK, "name")
	props := views.ServicesProps{Chrome: h.chrome(c, "services"), Q: q, Sortable: sortOK,
		Pager: views.ListPager{Offset: q.Offset, Limit: servicesPageSize, TotalExact: true}}
	for _, t := range choicesOf(schema, "service_type", serviceTypes) {
		props.Types = append(props.Types, views.Choice{Value: t, Label: views.ServiceTypeName(t)})
	}
	fields := searchable(schema)
	for _, f := range fields {
		props.Fields = append(props.Fields, views.Choice{Value: f.key, Label: f.label})
	}
	props.Saved = savedText(c)

	list, err := h.listServices(ctx, q, sortOK, fields, servicesPageSize)
	if err != nil {
		status, _, msg := classify(err)
		h.log.Warn("list services", "error", err)
		props.Error, props.Pager.Unread = msg, true
		return render(c, status, views.ServicesPage(props))
	}
	live, parts, age := h.liveByName()
	props.Age = age
	for _, obj := range list.objects {
		props.Rows = append(props.Rows, serviceRowOf(obj, live, parts))
	}
	props.Pager.Total, props.Pager.TotalExact, props.Pager.Shown = list.total, list.exact, len(props.Rows)
	props.Notice = list.notice
	return ok(c, views.ServicesPage(props))
}

func savedText(c echo.Context) string {
	switch d := c.QueryParam("deleted"); {
	case d == "1":
		return "Deleted."
	case d != "":
		if n, err := strconv.Atoi(d); err == nil && n > 0 {
			return "Deleted " + itoa(n) + " services."
		}
	}
	if c.QueryParam("imported") != "" {
		return "Imported."
	}
	return ""
}

// baseQuery is the filter and order every list call of q shares. Ties are broken by id when
// the schema allows ordering by it (a real node's conference schema does not list id, and
// would answer 400).
func baseQuery(q views.ListQuery, sortOK map[string]bool) url.Values {
	v := url.Values{"order_by": {q.Sort}}
	if sortOK["id"] && strings.TrimPrefix(q.Sort, "-") != "id" {
		v.Add("order_by", "id")
	}
	if q.Type != "" {
		v.Set("service_type", q.Type)
	}
	return v
}

// listServices reads one page. A search of one field (or none) is one list call with limit
// and offset. A search of every field is one call per field, merged here.
//
// NOTE: the API ANDs its filters, so "name or alias or ... contains x" cannot be one call.
// Each field's call asks for the first offset+limit matches in the page's order; the union,
// de-duplicated by id and re-sorted, gives the page exactly. Its total is exact when every
// call returned all its matches, and otherwise a lower bound ("at least"). Such a search pages
// through its first maxMergedWindow matches; a search of one field pages through all.
func (h *Handler) listServices(ctx context.Context, q views.ListQuery, sortOK map[string]bool,
	fields []searchField, limit int) (serviceList, error) {
	base := baseQuery(q, sortOK)
	if q.Query == "" || q.Field != "" {
		if q.Query != "" && !searchesField(fields, q.Field) {
			return serviceList{exact: true, notice: "This Management Node does not allow searching by " + q.Field + "."}, nil
		}
		if q.Query != "" {
			base.Set(searchFilter(q.Field), q.Query)
		}
		base.Set("limit", itoa(limit))
		base.Set("offset", itoa(q.Offset))
		page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResService, base)
		if err != nil {
			return serviceList{}, err
		}
		return serviceList{objects: dedupe(page.Objects), total: page.Meta.TotalCount, exact: true}, nil
	}
	return h.searchEveryField(ctx, q, base, fields, limit)
}

func searchesField(fields []searchField, key string) bool {
	for _, f := range fields {
		if f.key == key {
			return true
		}
	}
	return false
}

func (h *Handler) searchEveryField(ctx context.Context, q views.ListQuery, base url.Values,
	fields []searchField, limit int) (serviceList, error) {
	var out serviceList
	window := q.Offset + limit
	if window > maxMergedWindow {
		window = maxMergedWindow
		out.notice = "A search of every field pages through its first " + itoa(maxMergedWindow) +
			" matches. Choose one field to search to page further."
	}
	var all []map[string]any
	exact, largest := true, 0
	for _, f := range fields {
		v := url.Values{}
		for k, vals := range base {
			v[k] = vals
		}
		v.Set(f.filter, q.Query)
		v.Set("limit", itoa(window))
		v.Set("offset", "0")
		page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResService, v)
		if err != nil {
			return serviceList{}, err
		}
		all = append(all, page.Objects...)
		largest = max(largest, page.Meta.TotalCount)
		exact = exact && page.Meta.TotalCount <= len(page.Objects)
	}
	all = dedupe(all)
	sortObjects(all, q.Sort)
	out.total, out.exact = max(len(all), largest), exact
	if q.Offset < len(all) {
		out.objects = all[q.Offset:min(len(all), q.Offset+limit)]
	}
	return out, nil
}

// dedupe keeps the first object of each id: a related filter may list a service once per
// matching alias.
func dedupe(objs []map[string]any) []map[string]any {
	seen := map[string]bool{}
	out := objs[:0:0]
	for _, o := range objs {
		id := textOf(fieldSpec{}, o["id"])
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, o)
	}
	return out
}

// sortObjects orders merged results as the node orders a page: by the field (numbers as
// numbers, text byte-wise, empty first), then by id.
func sortObjects(objs []map[string]any, order string) {
	field, desc := strings.CutPrefix(order, "-")
	sort.SliceStable(objs, func(i, j int) bool {
		c := compareField(objs[i][field], objs[j][field])
		if desc {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		return idOf(objs[i]) < idOf(objs[j])
	})
}

func compareField(a, b any) int {
	af, aok := a.(float64)
	bf, bok := b.(float64)
	if aok && bok {
		switch {
		case af < bf:
			return -1
		case af > bf:
			return 1
		}
		return 0
	}
	return strings.Compare(textOf(fieldSpec{}, a), textOf(fieldSpec{}, b))
}

func idOf(obj map[string]any) int {
	n, _ := strconv.Atoi(textOf(fieldSpec{}, obj["id"]))
	return n
}

// liveByName reads the poller's state (no upstream request): which conferences run now, by
// name, with their participant counts, and how old that knowledge is.
func (h *Handler) liveByName() (map[string]bool, map[string]int, string) {
	live, parts := map[string]bool{}, map[string]int{}
	if h.Poller == nil {
		return live, parts, ""
	}
	st := h.Poller.State()
	if st == nil {
		return live, parts, ""
	}
	for _, c := range st.Conferences {
		live[c.Name] = true
	}
	for _, p := range st.Participants {
		parts[p.Conference]++
	}
	if st.Updated.IsZero() {
		return live, parts, "(not read yet)"
	}
	age := h.Now().Sub(st.Updated).Round(time.Second)
	if st.Stale || age > h.cfg.StaleAfter {
		return live, parts, "(as of " + age.String() + " ago)"
	}
	return live, parts, ""
}

// serviceRowOf is a list row: never the PIN itself, only whether one is set.
func serviceRowOf(obj map[string]any, live map[string]bool, parts map[string]int) views.ServiceRow {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	r := views.ServiceRow{ID: idOf(obj), Name: str("name"), ServiceType: str("service_type"),
		Aliases: aliasNames(obj["aliases"]), Description: str("description"), Tag: str("tag"),
		Owner: str("primary_owner_email_address"), HostPIN: str("pin") != "", GuestPIN: str("guest_pin") != ""}
	r.AllowGuests, _ = obj["allow_guests"].(bool)
	r.Live = live[r.Name]
	r.Participants = parts[r.Name]
	return r
}
