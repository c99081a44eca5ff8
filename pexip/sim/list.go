package sim

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"pexops/pexip"
)

// defaultLimit is the page size of a list without ?limit=, as on a real node.
const defaultLimit = 20

// isSpecifier reports whether s is a lookup a filtering value of 1 or 2 allows: the guide's
// 14 and the two Django extras the fact sheet suggests (in, isnull).
func isSpecifier(s string) bool {
	switch s {
	case "exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
		"iendswith", "regex", "iregex", "lt", "lte", "gt", "gte", "in", "isnull":
		return true
	}
	return false
}

// isReserved reports whether a query key is never a filter.
func isReserved(key string) bool {
	switch key {
	case "limit", "offset", "order_by", "format", "fullschema", "username", "api_key":
		return true
	}
	return false
}

// badRequest is a 400 answered as {"error": msg}, Tastypie's single-message shape.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badf(format string, a ...any) *badRequest { return &badRequest{fmt.Sprintf(format, a...)} }

// param is one query parameter, in the order the request carried it.
type param struct{ key, value string }

// parseParams splits a raw query in order; malformed escapes are kept as they came.
func parseParams(raw string) []param {
	var out []param
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if uv, err := url.QueryUnescape(v); err == nil {
			v = uv
		}
		out = append(out, param{k, v})
	}
	return out
}

// source tells the list engine how to read a field of an object and follow a relation.
type source interface {
	value(obj Object, f *field) any
	related(f *field, v any) []Object
}

// plainSource reads objects as they are; relations are nested objects (history media streams).
type plainSource struct{}

func (plainSource) value(obj Object, f *field) any { return obj[f.name] }

func (plainSource) related(_ *field, v any) []Object { return nestedObjects(v) }

// nestedObjects returns the maps in v (a map or a list holding maps).
func nestedObjects(v any) []Object {
	switch t := v.(type) {
	case map[string]any:
		return []Object{t}
	case []any:
		var out []Object
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	case []Object:
		return t
	}
	return nil
}

// filter is one compiled ?field__spec=value condition.
type filter struct {
	path  []*field // traversal chain; the last field is compared
	spec  string
	raw   string
	null  bool // the value is one of Tastypie's words for None
	num   float64
	tm    time.Time
	re    *regexp.Regexp
	in    []string
	anyOf []filter // the exact filters an in filter is made of
	bv    bool
}

// orderKey is one order_by field.
type orderKey struct {
	f    *field
	desc bool
}

// query is a parsed list request.
type query struct {
	filters []filter
	order   []orderKey
	limit   int
	offset  int
	others  []param // parameters carried into next and previous
}

// resolver finds the schema a relation of res points at, for traversal.
type resolver func(res *resource, f *field) *resource

// parseQuery compiles the query string of a list request against the resource's schema.
// Unknown keys are ignored; errors are the 400 bodies of §3.4.
func parseQuery(raw string, res *resource, resolve resolver, maxLimit int) (*query, error) {
	q := &query{limit: defaultLimit}
	last := map[string]string{}
	var keys []string
	for _, p := range parseParams(raw) {
		switch {
		case p.key == "limit" || p.key == "offset":
			last[p.key] = p.value
			continue
		case p.key == "order_by":
			k, err := orderBy(res, p.value)
			if err != nil {
				return nil, err
			}
			q.order = append(q.order, k)
		case !isReserved(p.key):
			if _, seen := last[p.key]; !seen {
				keys = append(keys, p.key)
			}
			last[p.key] = p.value
		}
		q.others = append(q.others, p)
	}
	for _, k := range keys {
		f, ok, err := compileFilter(res, k, last[k], resolve)
		if err != nil {
			return nil, err
		}
		if ok {
			q.filters = append(q.filters, f)
		}
	}
	if err := q.paging(last, maxLimit); err != nil {
		return nil, err
	}
	return q, nil
}

func (q *query) paging(last map[string]string, maxLimit int) error {
	if v, ok := last["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return badf("Invalid limit '%s' provided. Please provide a positive integer.", v)
		}
		if n < 0 {
			return badf("Invalid limit '%s' provided. Please provide a positive integer >= 0.", v)
		}
		q.limit = n
	}
	if maxLimit > 0 && (q.limit == 0 || q.limit > maxLimit) {
		q.limit = maxLimit
	}
	if v, ok := last["offset"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return badf("Invalid offset '%s' provided. Please provide an integer.", v)
		}
		if n < 0 {
			return badf("Invalid offset '%s' provided. Please provide a positive integer >= 0.", v)
		}
		q.offset = n
	}
	return nil
}

func orderBy(res *resource, v string) (orderKey, error) {
	name, desc := strings.CutPrefix(v, "-")
	f := res.byName[name]
	if f == nil {
		return orderKey{}, badf("No matching '%s' field for ordering on.", name)
	}
	if !f.order {
		return orderKey{}, badf("The '%s' field does not allow ordering.", name)
	}
	return orderKey{f: f, desc: desc}, nil
}

// compileFilter reads one filter key; ok is false for a key that names no field.
func compileFilter(res *resource, key, raw string, resolve resolver) (filter, bool, error) {
	parts := strings.Split(key, "__")
	spec := "exact"
	if len(parts) > 1 && isSpecifier(parts[len(parts)-1]) {
		spec, parts = parts[len(parts)-1], parts[:len(parts)-1]
	}
	base := res.byName[parts[0]]
	if base == nil {
		return filter{}, false, nil
	}
	ft := filter{spec: spec, raw: raw}
	cur := res
	for i, name := range parts {
		f := cur.byName[name]
		if f == nil {
			return filter{}, false, badf("The '%s' field does not allow filtering.", name)
		}
		if err := allowFilter(f, spec, i < len(parts)-1); err != nil {
			return filter{}, false, err
		}
		ft.path = append(ft.path, f)
		if i < len(parts)-1 {
			if cur = resolve(cur, f); cur == nil {
				return filter{}, false, badf("The '%s' field does not allow filtering.", name)
			}
		}
	}
	if err := ft.compile(); err != nil {
		return filter{}, false, err
	}
	return ft, true, nil
}

func allowFilter(f *field, spec string, traverse bool) error {
	switch v := f.filter.(type) {
	case nil:
		return badf("The '%s' field does not allow filtering.", f.name)
	case int:
		if traverse && v != 2 {
			return badf("Lookups are not allowed more than one level deep on the '%s' field.", f.name)
		}
	case []string:
		if traverse {
			return badf("Lookups are not allowed more than one level deep on the '%s' field.", f.name)
		}
		for _, s := range v {
			if s == spec {
				return nil
			}
		}
		return badf("'%s' is not an allowed filter on the '%s' field.", spec, f.name)
	}
	return nil
}

// compile parses the value once for the leaf field's type.
func (ft *filter) compile() error {
	leaf := ft.path[len(ft.path)-1]
	switch ft.raw {
	case "nil", "none", "None", "null":
		ft.null = true
	}
	switch ft.spec {
	case "in":
		ft.in = strings.Split(ft.raw, ",")
		for _, v := range ft.in {
			sub := filter{path: ft.path, spec: "exact", raw: v}
			if sub.compile() == nil {
				ft.anyOf = append(ft.anyOf, sub)
			}
		}
		return nil
	case "isnull":
		ft.bv = parseBool(ft.raw)
		return nil
	case "regex", "iregex":
		expr := ft.raw
		if ft.spec == "iregex" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return badf("Invalid regular expression '%s' for the '%s' field.", ft.raw, leaf.name)
		}
		ft.re = re
		return nil
	}
	if ft.null || isStringSpec(ft.spec) {
		return nil
	}
	return ft.compileTyped(leaf)
}

func (ft *filter) compileTyped(leaf *field) error {
	var ok bool
	switch leaf.typ {
	case tInt, tFloat:
		ft.num, ok = toFloat(ft.raw)
	case tBool:
		ft.bv, ok = boolWord(ft.raw)
	case tDatetime:
		var t pexip.Time
		t, ok = pexip.ParseTime(ft.raw)
		ft.tm = t.Time
	default:
		return nil
	}
	if !ok {
		return badf("Invalid value '%s' provided for the '%s' field.", ft.raw, leaf.name)
	}
	return nil
}

func isStringSpec(spec string) bool {
	switch spec {
	case "iexact", "contains", "icontains", "startswith", "istartswith", "endswith", "iendswith":
		return true
	}
	return false
}

// match reports whether obj passes the filter.
func (ft *filter) match(src source, obj Object) bool {
	return ft.matchPath(src, obj, 0)
}

func (ft *filter) matchPath(src source, obj Object, i int) bool {
	f := ft.path[i]
	v := src.value(obj, f)
	if i == len(ft.path)-1 {
		return ft.matchValue(f, v)
	}
	for _, rel := range src.related(f, v) {
		if ft.matchPath(src, rel, i+1) {
			return true
		}
	}
	return false
}

func (ft *filter) matchValue(f *field, v any) bool {
	if f.typ == tRelated {
		return ft.matchRelated(v)
	}
	if ft.spec == "isnull" {
		return isNull(f, v) == ft.bv
	}
	if ft.null && (ft.spec == "exact" || ft.spec == "iexact") {
		return isNull(f, v)
	}
	if ft.spec == "in" {
		for i := range ft.anyOf {
			if ft.anyOf[i].matchValue(f, v) {
				return true
			}
		}
		return false
	}
	if ft.re != nil {
		return v != nil && ft.re.MatchString(toString(v))
	}
	if isStringSpec(ft.spec) || (f.typ != tInt && f.typ != tFloat && f.typ != tBool && f.typ != tDatetime) {
		return matchString(ft.spec, toString(v), ft.raw)
	}
	c, ok := compareTyped(f, v, ft)
	return ok && cmpOK(ft.spec, c)
}

// matchRelated compares a relation by the ids it points at.
func (ft *filter) matchRelated(v any) bool {
	ids := relatedIDs(v)
	switch {
	case ft.spec == "isnull":
		return (len(ids) == 0) == ft.bv
	case ft.null:
		return len(ids) == 0
	}
	wants := []string{pexip.LastSegment(ft.raw)}
	if ft.spec == "in" {
		wants = wants[:0]
		for _, w := range ft.in {
			wants = append(wants, pexip.LastSegment(w))
		}
	}
	for _, id := range ids {
		for _, w := range wants {
			if id == w {
				return true
			}
		}
	}
	return false
}

// relatedIDs returns the ids a related value points at: URIs, nested objects or lists of them.
func relatedIDs(v any) []string {
	switch t := v.(type) {
	case string:
		if t == "" {
			return nil
		}
		return []string{pexip.LastSegment(t)}
	case map[string]any:
		if id, ok := t["id"]; ok && id != nil {
			return []string{toString(id)}
		}
		if uri, ok := t["resource_uri"].(string); ok {
			return []string{pexip.LastSegment(uri)}
		}
	case []any:
		var out []string
		for _, e := range t {
			out = append(out, relatedIDs(e)...)
		}
		return out
	case []string:
		var out []string
		for _, e := range t {
			out = append(out, pexip.LastSegment(e))
		}
		return out
	}
	return nil
}

func isNull(f *field, v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == "" && f.typ == tDatetime
}

func matchString(spec, have, want string) bool {
	switch spec {
	case "exact":
		return have == want
	case "iexact":
		return strings.EqualFold(have, want)
	case "contains":
		return strings.Contains(have, want)
	case "icontains":
		return strings.Contains(strings.ToLower(have), strings.ToLower(want))
	case "startswith":
		return strings.HasPrefix(have, want)
	case "istartswith":
		return strings.HasPrefix(strings.ToLower(have), strings.ToLower(want))
	case "endswith":
		return strings.HasSuffix(have, want)
	case "iendswith":
		return strings.HasSuffix(strings.ToLower(have), strings.ToLower(want))
	}
	return cmpOK(spec, strings.Compare(have, want))
}

func cmpOK(spec string, c int) bool {
	switch spec {
	case "exact":
		return c == 0
	case "lt":
		return c < 0
	case "lte":
		return c <= 0
	case "gt":
		return c > 0
	case "gte":
		return c >= 0
	}
	return false
}

// compareTyped compares an object's value with the filter's parsed value; ok is false when
// the object's value cannot be read as the field's type (it then matches nothing).
func compareTyped(f *field, v any, ft *filter) (int, bool) {
	switch f.typ {
	case tInt, tFloat:
		n, ok := toFloat(v)
		return cmpFloat(n, ft.num), ok
	case tBool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if b == ft.bv {
			return 0, true
		}
		if b {
			return 1, true
		}
		return -1, true
	case tDatetime:
		t, ok := pexip.ParseTime(toString(v))
		return t.Compare(ft.tm), ok
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareValues orders two values of field f; unset values sort first.
func compareValues(f *field, a, b any) int {
	an, bn := isNull(f, a), isNull(f, b)
	switch {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	switch f.typ {
	case tInt, tFloat:
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		return cmpFloat(x, y)
	case tBool:
		x, _ := a.(bool)
		y, _ := b.(bool)
		return cmpFloat(b2f(x), b2f(y))
	case tDatetime:
		x, _ := pexip.ParseTime(toString(a))
		y, _ := pexip.ParseTime(toString(b))
		return x.Compare(y.Time)
	}
	return strings.Compare(toString(a), toString(b))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// toFloat reads any JSON-ish number, or a numeric string.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		return f, err == nil
	}
	return 0, false
}

// toString formats a value the way a filter compares it.
func toString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	case fmt.Stringer:
		return t.String()
	}
	if f, ok := toFloat(v); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// boolWord reads Tastypie's boolean words.
func boolWord(s string) (bool, bool) {
	switch s {
	case "true", "True", "TRUE", "1", "yes", "on":
		return true, true
	case "false", "False", "FALSE", "0", "no", "off":
		return false, true
	}
	return false, false
}

func parseBool(s string) bool {
	b, _ := boolWord(s)
	return b
}
