package sim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"pexops/pexip"
)

// fieldErrors are validation messages by field ("__all__" for cross-field rules).
type fieldErrors map[string][]string

// validationError is a 400 answered as {"<resource>": {"<field>": ["..."]}}.
type validationError struct {
	resource string
	errs     fieldErrors
}

func (e *validationError) Error() string { return "validation failed on " + e.resource }

func (e *validationError) body() any { return map[string]any{e.resource: e.errs} }

func invalid(res, field, msg string) *validationError {
	return &validationError{resource: res, errs: fieldErrors{field: {msg}}}
}

var pinPattern = regexp.MustCompile(`^[0-9]{4,20}#?$`)

// coerce turns a written value into the stored form of f, or returns a Django-like message.
// Form-encoded and JSON-string values are read as the field's type, as a real node does.
func (s *store) coerce(f *field, v any) (any, string) {
	if str, ok := v.(string); ok && f.typ != tString && f.typ != tFile {
		if str == "" || str == "None" || str == "null" {
			v = nil
		}
	}
	if v == nil {
		if f.nullable || (f.typ == tRelated && f.relatedType == "to_one" && !f.required) {
			return nil, ""
		}
		if f.relatedType == "to_many" {
			return []any{}, ""
		}
		return nil, "This field cannot be null."
	}
	switch f.typ {
	case tString:
		return coerceString(f, v)
	case tInt, tFloat:
		return coerceNumber(f, v)
	case tBool:
		if b, ok := v.(bool); ok {
			return b, ""
		}
		if b, ok := boolWord(toString(v)); ok {
			return b, ""
		}
		return nil, fmt.Sprintf("'%s' value must be either True or False.", toString(v))
	case tDatetime:
		t, ok := pexip.ParseTime(toString(v))
		if !ok {
			return nil, fmt.Sprintf("'%s' value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]] format.", toString(v))
		}
		return t.Wire(), ""
	case tRelated:
		return s.coerceRelated(f, v)
	}
	return v, ""
}

func coerceString(f *field, v any) (any, string) {
	var str string
	switch t := v.(type) {
	case string:
		str = t
	case float64, bool:
		str = toString(t)
	default:
		return nil, "Enter a valid value."
	}
	if str == "" {
		if !f.blank {
			return nil, "This field cannot be blank."
		}
		return str, ""
	}
	if f.maxLen > 0 && len([]rune(str)) > f.maxLen {
		return nil, fmt.Sprintf("Ensure this value has at most %d characters (it has %d).",
			f.maxLen, len([]rune(str)))
	}
	if f.choices != nil && !hasChoice(f.choices, str, false) {
		return nil, fmt.Sprintf("Value '%s' is not a valid choice.", str)
	}
	if (f.name == "pin" || f.name == "guest_pin") && !pinPattern.MatchString(str) {
		return nil, "A PIN must be 4 to 20 digits, optionally followed by #."
	}
	return str, ""
}

// hasChoice reports whether v is one of choices, compared as strings (fold: ignoring case).
func hasChoice(choices []any, v any, fold bool) bool {
	for _, c := range choices {
		if toString(c) == toString(v) || fold && strings.EqualFold(toString(c), toString(v)) {
			return true
		}
	}
	return false
}

func coerceNumber(f *field, v any) (any, string) {
	n, ok := toFloat(v)
	if _, isBool := v.(bool); isBool {
		ok = false
	}
	if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
		if f.typ == tInt {
			return nil, fmt.Sprintf("'%s' value must be an integer.", toString(v))
		}
		return nil, fmt.Sprintf("'%s' value must be a float.", toString(v))
	}
	if f.typ == tInt && n != math.Trunc(n) {
		return nil, fmt.Sprintf("'%s' value must be an integer.", toString(v))
	}
	if f.min != nil && n < *f.min {
		return nil, fmt.Sprintf("Ensure this value is greater than or equal to %s.", toString(*f.min))
	}
	if f.max != nil && n > *f.max {
		return nil, fmt.Sprintf("Ensure this value is less than or equal to %s.", toString(*f.max))
	}
	if f.choices != nil && !hasChoice(f.choices, n, false) {
		return nil, fmt.Sprintf("Value %s is not a valid choice.", toString(n))
	}
	if f.typ == tInt {
		return int(n), ""
	}
	return n, ""
}

// coerceRelated accepts URIs (absolute or relative) or nested objects carrying an id or a
// resource_uri, and stores relative URIs.
func (s *store) coerceRelated(f *field, v any) (any, string) {
	if f.relatedType == "to_one" {
		return s.relatedURI(f, v)
	}
	items, ok := v.([]any)
	if !ok {
		if str, isStr := v.(string); isStr {
			items = []any{str}
		} else {
			return nil, "Expected a list of resource URIs."
		}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		uri, msg := s.relatedURI(f, it)
		if msg != "" {
			return nil, msg
		}
		out = append(out, uri)
	}
	return out, ""
}

func (s *store) relatedURI(f *field, v any) (any, string) {
	var uri string
	switch t := v.(type) {
	case string:
		uri = t
	case map[string]any:
		if u, ok := t["resource_uri"].(string); ok && u != "" {
			uri = u
		} else if id, ok := t["id"]; ok && id != nil {
			uri = "/api/admin/configuration/v1/" + f.target + "/" + toString(id) + "/"
		} else {
			return nil, "A nested object must carry its id or resource_uri."
		}
	default:
		return nil, fmt.Sprintf("Could not find the provided object via resource URI '%s'.", toString(v))
	}
	t, key, ok := s.uriKey(uri)
	if !ok || t.res.name != f.target || t.byKey[key] == nil {
		return nil, fmt.Sprintf("Could not find the provided object via resource URI '%s'.", uri)
	}
	return t.uri(key), ""
}

// fill applies body to obj field by field. Read-only, computed and unknown keys are ignored,
// as Tastypie does; on create, required fields must be present.
func (s *store) fill(t *table, obj Object, body map[string]any, create bool) fieldErrors {
	errs := fieldErrors{}
	for _, f := range t.res.fields {
		v, given := body[f.name]
		if f.readonly || f.reverse != "" || f.name == t.keyField {
			continue
		}
		if !given {
			if create && f.required {
				errs[f.name] = []string{"This field is required."}
			}
			continue
		}
		if f.typ == tFile {
			obj[f.name] = v
			if t.res.name == "ivr_theme" && f.name == "package" && v != nil {
				obj["last_updated"] = pexip.NewTime(s.clock.Now()).Wire()
			}
			continue
		}
		val, msg := s.coerce(f, v)
		if msg == "" && isPattern(t, f) {
			msg = checkPattern(toString(val))
		}
		if msg != "" {
			errs[f.name] = []string{msg}
			continue
		}
		obj[f.name] = val
	}
	return errs
}

// checkUnique adds "X with this Y already exists." for unique values another object holds.
func checkUnique(t *table, key string, obj Object, errs fieldErrors) {
	for name, m := range t.uniq {
		v := toString(obj[name])
		if owner, ok := m[v]; ok && v != "" && owner != key {
			errs[name] = append(errs[name], fmt.Sprintf("%s with this %s already exists.",
				t.res.verbose, label(name)))
		}
	}
}

// label is Django's default verbose name of a field: "guest_pin" -> "Guest pin".
func label(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// crossCheck applies rules that involve more than one field.
func crossCheck(t *table, obj Object, errs fieldErrors) {
	if t.res.name == "conference" {
		pin, guest := toString(obj["pin"]), toString(obj["guest_pin"])
		if pin != "" && pin == guest {
			errs["__all__"] = append(errs["__all__"], "The Host PIN and Guest PIN must be different.")
		}
		if guest != "" && pin == "" {
			errs["__all__"] = append(errs["__all__"], "A Guest PIN cannot be set without a Host PIN.")
		}
	}
}

// defaults returns a new object holding every field's default.
func defaults(t *table) Object {
	obj := make(Object, len(t.res.fields))
	for _, f := range t.res.fields {
		if f.reverse != "" || f.readonly && f.name != "creation_time" || f.writeOnly {
			continue
		}
		switch d := f.def.(type) {
		case []any:
			obj[f.name] = append([]any{}, d...)
		default:
			if f.hasDef {
				obj[f.name] = d
			}
		}
	}
	delete(obj, "id")
	return obj
}

// create validates body and inserts a new object with the next id (or the given key for
// resources keyed otherwise). It returns the new key.
func (x *tx) create(t *table, body map[string]any, key string) (string, error) {
	obj := defaults(t)
	errs := x.s.fill(t, obj, body, true)
	if key == "" {
		key = strconv.Itoa(t.next)
	}
	checkUnique(t, key, obj, errs)
	crossCheck(t, obj, errs)
	if len(errs) > 0 {
		return "", &validationError{resource: t.res.name, errs: errs}
	}
	if n, err := strconv.Atoi(key); err == nil {
		obj[t.keyField] = n
		if n >= t.next {
			t.next = n + 1
		}
	} else {
		obj[t.keyField] = key
	}
	if t.res.stamped {
		obj["creation_time"] = pexip.NewTime(x.s.clock.Now()).Wire()
	}
	obj["resource_uri"] = t.uri(key)
	x.insert(t, &record{key: key, obj: obj})
	return key, x.writeReverse(t, key, body, true)
}

// update applies body to an existing object: partial (PATCH) or a full replace (PUT).
func (x *tx) update(t *table, rec *record, body map[string]any, full bool) error {
	var obj Object
	if full {
		obj = defaults(t)
		for _, keep := range []string{t.keyField, "creation_time", "resource_uri"} {
			if v, ok := rec.obj[keep]; ok {
				obj[keep] = v
			}
		}
		for _, f := range t.res.fields {
			if f.writeOnly && rec.obj[f.name] != nil {
				obj[f.name] = rec.obj[f.name]
			}
		}
	} else {
		obj = make(Object, len(rec.obj))
		for k, v := range rec.obj {
			obj[k] = v
		}
	}
	errs := x.s.fill(t, obj, body, full)
	checkUnique(t, rec.key, obj, errs)
	crossCheck(t, obj, errs)
	if len(errs) > 0 {
		return &validationError{resource: t.res.name, errs: errs}
	}
	x.replace(t, rec, obj)
	return x.writeReverse(t, rec.key, body, false)
}

// writeReverse handles writes to computed relations: a conference's nested aliases and its
// automatic participants. The given list replaces the current set.
func (x *tx) writeReverse(t *table, key string, body map[string]any, create bool) error {
	for _, f := range t.res.fields {
		v, given := body[f.name]
		if f.reverse == "" || !given || f.readonly {
			continue
		}
		items, ok := v.([]any)
		if !ok && v != nil {
			return invalid(t.res.name, f.name, "Expected a list.")
		}
		resName, fieldName, _ := strings.Cut(f.reverse, ".")
		if err := x.setReverse(x.s.tables[resName], fieldName, t.uri(key), items, create); err != nil {
			return err
		}
	}
	return nil
}

func (x *tx) setReverse(rt *table, fieldName, uri string, items []any, create bool) error {
	many := rt.res.byName[fieldName].relatedType == "to_many"
	keep := map[string]bool{}
	for _, it := range items {
		k, err := x.reverseItem(rt, fieldName, uri, it, many)
		if err != nil {
			return err
		}
		keep[k] = true
	}
	if create {
		return nil
	}
	for _, rec := range append([]*record(nil), rt.recs...) {
		if rec.deleted || keep[rec.key] || !pointsAt(rec.obj[fieldName], uri) {
			continue
		}
		if !many {
			x.deleteRecords(rt, []*record{rec})
			continue
		}
		obj := copyObj(rec.obj)
		obj[fieldName] = withoutURI(rec.obj[fieldName], uri)
		x.replace(rt, rec, obj)
	}
	return nil
}

// reverseItem links (or creates) one related object so that it points at uri.
func (x *tx) reverseItem(rt *table, fieldName, uri string, it any, many bool) (string, error) {
	var body map[string]any
	switch v := it.(type) {
	case string:
		body = map[string]any{"resource_uri": v}
	case map[string]any:
		body = copyObj(v)
	default:
		return "", invalid(rt.res.name, fieldName, "Expected a resource URI or a nested object.")
	}
	if rec := x.existing(rt, body); rec != nil {
		body[fieldName] = uri
		if many {
			body[fieldName] = withURI(rec.obj[fieldName], uri)
		}
		return rec.key, x.update(rt, rec, body, false)
	}
	if _, hasURI := body["resource_uri"]; hasURI && len(body) == 1 {
		return "", invalid(rt.res.name, "resource_uri", fmt.Sprintf(
			"Could not find the provided object via resource URI '%s'.", body["resource_uri"]))
	}
	body[fieldName] = uri
	if many {
		body[fieldName] = []any{uri}
	}
	return x.create(rt, body, "")
}

func (x *tx) existing(t *table, body map[string]any) *record {
	if u, ok := body["resource_uri"].(string); ok {
		if tt, key, ok := x.s.uriKey(u); ok && tt == t {
			return t.byKey[key]
		}
	}
	if id, ok := body["id"]; ok && id != nil {
		return t.byKey[toString(id)]
	}
	return nil
}

func pointsAt(v any, uri string) bool {
	key := pexip.LastSegment(uri)
	for _, id := range relatedIDs(v) {
		if id == key {
			return true
		}
	}
	return false
}

func withURI(v any, uri string) []any {
	out := withoutURI(v, uri)
	return append(out, uri)
}

func withoutURI(v any, uri string) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, e := range list {
		if toString(e) != uri {
			out = append(out, e)
		}
	}
	return out
}

func copyObj(o map[string]any) map[string]any {
	out := make(map[string]any, len(o))
	for k, v := range o {
		out[k] = v
	}
	return out
}

// deleteRecords deletes recs from t and then fixes what pointed at them: objects whose
// relation cascades are deleted too (a conference's aliases), others are unlinked (a
// conference leaves its ADPs' lists; a deleted theme leaves services without one).
func (x *tx) deleteRecords(t *table, recs []*record) {
	if len(recs) == 0 {
		return
	}
	gone := map[string]bool{}
	for _, rec := range recs {
		x.remove(t, rec)
		gone[rec.key] = true
	}
	for _, ot := range x.s.tables {
		for _, f := range ot.res.fields {
			if f.typ == tRelated && f.target == t.res.name && f.reverse == "" {
				x.unlink(ot, f, gone)
			}
		}
	}
}

func (x *tx) unlink(ot *table, f *field, gone map[string]bool) {
	var cascade []*record
	for _, rec := range ot.recs {
		if rec.deleted {
			continue
		}
		ids := relatedIDs(rec.obj[f.name])
		hit := false
		for _, id := range ids {
			hit = hit || gone[id]
		}
		switch {
		case !hit:
		case f.cascade:
			cascade = append(cascade, rec)
		case f.relatedType == "to_many":
			obj := copyObj(rec.obj)
			kept := []any{}
			list, _ := rec.obj[f.name].([]any)
			for _, e := range list {
				if !gone[pexip.LastSegment(toString(e))] {
					kept = append(kept, e)
				}
			}
			obj[f.name] = kept
			x.replace(ot, rec, obj)
		default:
			obj := copyObj(rec.obj)
			obj[f.name] = nil
			x.replace(ot, rec, obj)
		}
	}
	x.deleteRecords(ot, cascade)
}
