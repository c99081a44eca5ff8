package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"pexops/pexip/sim/platform"
)

// view returns the read form of rec: write-only fields dropped, computed relations filled
// in, nested relations expanded (callers hold mu for reading).
func (s *store) view(t *table, rec *record, ix *indexes) Object {
	out := make(Object, len(t.res.fields))
	for _, f := range t.res.fields {
		switch {
		case f.writeOnly:
		case f.hashed:
			out[f.name] = hashSecret(toString(rec.obj[f.name]))
		case f.reverse != "":
			out[f.name] = s.reverseValue(f, rec, ix)
		case f.nested && f.typ == tRelated:
			out[f.name] = s.nestedValue(f, rec.obj[f.name], ix)
		default:
			v, ok := rec.obj[f.name]
			if !ok {
				v = f.def
			}
			out[f.name] = v
		}
	}
	return out
}

// reverseValue lists the objects of another resource that point at rec: nested objects
// without resource_uri (a real node leaves it out of embedded aliases and ADPs) or URIs.
func (s *store) reverseValue(f *field, rec *record, ix *indexes) []any {
	resName, _, _ := strings.Cut(f.reverse, ".")
	t := s.tables[resName]
	recs := ix.reverse[f.reverse][rec.key]
	out := make([]any, 0, len(recs))
	for _, r := range recs {
		if !f.nested {
			out = append(out, t.uri(r.key))
			continue
		}
		v := s.view(t, r, ix)
		delete(v, "resource_uri")
		out = append(out, v)
	}
	return out
}

// nestedValue expands stored URIs into the objects they name.
func (s *store) nestedValue(f *field, v any, ix *indexes) any {
	one := func(uri string) any {
		t, key, ok := s.uriKey(uri)
		if !ok || t.byKey[key] == nil {
			return nil
		}
		return s.view(t, t.byKey[key], ix)
	}
	switch u := v.(type) {
	case string:
		return one(u)
	case []any:
		out := make([]any, 0, len(u))
		for _, e := range u {
			if uri, ok := e.(string); ok {
				if o := one(uri); o != nil {
					out = append(out, o)
				}
			}
		}
		return out
	}
	return v
}

// hashSecret is how a node returns an SNMP password: never the value written.
func hashSecret(v string) string {
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(v))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// viewJSON returns the encoded view of rec, cached until the next write.
func (s *store) viewJSON(t *table, rec *record, ix *indexes) []byte {
	gen := s.gen.Load()
	if c := rec.view.Load(); c != nil && c.gen == gen {
		return c.body
	}
	body := encode(s.view(t, rec, ix))
	rec.view.Store(&cachedView{gen: gen, body: body})
	return body
}

// encode writes v as JSON without HTML escaping (a Python node does not escape <, > or &).
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("null")
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// configSource lets the list engine read stored objects: computed relations come from the
// indexes and URIs are followed into the store.
type configSource struct {
	s  *store
	t  *table
	ix *indexes
}

func (c configSource) value(obj Object, f *field) any {
	if f.reverse == "" {
		return obj[f.name]
	}
	rec := c.t.byKey[toString(obj[c.t.keyField])]
	if rec == nil {
		return nil
	}
	var out []any
	for _, r := range c.ix.reverse[f.reverse][rec.key] {
		out = append(out, r.obj)
	}
	return out
}

func (c configSource) related(f *field, v any) []Object {
	if objs := nestedObjects(v); objs != nil {
		return objs
	}
	var out []Object
	for _, id := range relatedIDs(v) {
		if t := c.s.tables[f.target]; t != nil && t.byKey[id] != nil {
			out = append(out, t.byKey[id].obj)
		}
	}
	return out
}

// resolveConfig finds the resource a configuration relation points at.
func (s *store) resolveConfig(_ *resource, f *field) *resource {
	if t := s.tables[f.target]; t != nil {
		return t.res
	}
	return nil
}

// buildServices derives the platform's view of the services (callers hold mu for reading).
func (s *store) buildServices(ix *indexes) *dirIndex {
	conf := s.tables["conference"]
	adps := ix.reverse["automatic_participant.conference"]
	aliases := ix.reverse["conference_alias.conference"]
	d := &dirIndex{gen: ix.gen, svc: make([]platform.Service, 0, len(conf.recs)),
		svcByID: make(map[string]int, len(conf.recs))}
	for _, rec := range conf.recs {
		svc := serviceOf(rec)
		for _, a := range aliases[rec.key] {
			svc.Aliases = append(svc.Aliases, toString(a.obj["alias"]))
		}
		for _, a := range adps[rec.key] {
			svc.AutoDial = append(svc.AutoDial, platform.AutoDial{Alias: toString(a.obj["alias"]),
				Protocol: toString(a.obj["protocol"]), Role: toString(a.obj["role"]),
				DisplayName: toString(a.obj["remote_display_name"])})
		}
		d.svcByID[rec.key] = len(d.svc)
		d.svc = append(d.svc, svc)
	}
	return d
}

func serviceOf(rec *record) platform.Service {
	o := rec.obj
	id, _ := strconv.Atoi(rec.key)
	svc := platform.Service{ID: id, Name: toString(o["name"]),
		ServiceType: toString(o["service_type"]), Tag: toString(o["tag"]),
		PIN: toString(o["pin"]), GuestPIN: toString(o["guest_pin"])}
	svc.AllowGuests, _ = o["allow_guests"].(bool)
	svc.MuteAllGuests, _ = o["mute_all_guests"].(bool)
	if n, ok := toFloat(o["participant_limit"]); ok {
		svc.ParticipantLimit = int(n)
	}
	return svc
}

// directory is the platform's live view of the configured services.
type directory struct{ s *store }

// ServiceByAlias finds the service owning alias, case-insensitively.
func (d directory) ServiceByAlias(alias string) (platform.Service, bool) {
	d.s.mu.RLock()
	defer d.s.mu.RUnlock()
	conf := d.s.indexes().aliases[strings.ToLower(alias)]
	dir := d.s.directoryIndex()
	i, ok := dir.svcByID[conf]
	if !ok {
		return platform.Service{}, false
	}
	return dir.svc[i], true
}

// Services lists every configured service. The slice is shared and must not be changed.
func (d directory) Services() []platform.Service {
	d.s.mu.RLock()
	defer d.s.mu.RUnlock()
	return d.s.directoryIndex().svc
}
