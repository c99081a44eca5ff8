package sim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Field types as a Tastypie schema names them.
const (
	tString   = "string"
	tBool     = "boolean"
	tInt      = "integer"
	tFloat    = "float"
	tDatetime = "datetime"
	tRelated  = "related"
	tList     = "list"
	tFile     = "file"
)

// field is one field of a resource: what its schema says and what the store enforces.
type field struct {
	name        string
	typ         string
	nullable    bool
	blank       bool
	readonly    bool
	unique      bool
	writeOnly   bool // accepted on write, never returned (passwords, uploaded packages)
	hashed      bool // returned as a hash of what was written (SNMP passwords)
	required    bool // must be given on create
	def         any
	hasDef      bool
	help        string
	choices     []any
	relatedType string // to_one or to_many, for typ related
	target      string // resource the relation points at (same API)
	nested      bool   // GET shows related objects nested instead of as URIs
	reverse     string // computed from another resource: "<resource>.<field>"
	cascade     bool   // deleting the target deletes the object holding this field
	maxLen      int
	min, max    *float64
	filter      any // nil (not filterable), 1, 2 or a list of specifiers
	order       bool
}

// resource is one resource of one API: its fields in schema order and how it may be used.
type resource struct {
	api      string // configuration, status, history
	name     string
	verbose  string // Django verbose name, used in uniqueness messages
	fields   []*field
	byName   map[string]*field
	list     []string // allowed list methods
	detail   []string // allowed detail methods
	ordering []string
	schema   []byte // the rendered schema JSON
	stamped  bool   // has creation_time set by the server
}

var (
	methodsAll  = []string{"get", "post", "put", "delete", "patch"}
	methodsGet  = []string{"get"}
	methodsNone = []string{}
)

// parseFields reads the compact field table: one field a line,
//
//	name type [flags...] [# help text]
//
// with flags req (required on create), null, blank, ro, uniq, wo (write-only), f / f2 / f=a|b
// (filtering 1, 2 or the listed specifiers), o (ordering), def=<JSON>, ch=a|b|c (choices,
// read as JSON where they parse), max=N (length), range=lo..hi, rel=<resource>, many (to_many),
// nested, rev=<resource>.<field>, cascade.
func parseFields(spec string) []*field {
	var out []*field
	for _, line := range strings.Split(spec, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		help := ""
		if i := strings.Index(line, "#"); i >= 0 {
			help = strings.TrimSpace(line[i+1:])
			line = strings.TrimSpace(line[:i])
		}
		toks := splitTokens(line)
		f := &field{name: toks[0], typ: toks[1], blank: true, help: help}
		for _, tok := range toks[2:] {
			f.apply(tok)
		}
		f.finish()
		out = append(out, f)
	}
	return out
}

// splitTokens splits on spaces outside double quotes (def="Virtual machine").
func splitTokens(line string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
			cur.WriteRune(r)
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func (f *field) apply(tok string) {
	key, val, _ := strings.Cut(tok, "=")
	switch key {
	case "req":
		f.required, f.blank = true, false
	case "null":
		f.nullable = true
	case "noblank":
		f.blank = false
	case "ro":
		f.readonly = true
	case "uniq":
		f.unique = true
	case "wo":
		f.writeOnly = true
	case "hash":
		f.hashed = true
	case "f":
		f.filter = 1
		if val != "" {
			f.filter = strings.Split(val, "|")
		}
	case "f2":
		f.filter = 2
	case "o":
		f.order = true
	case "def":
		f.hasDef = true
		if err := json.Unmarshal([]byte(val), &f.def); err != nil {
			f.def = val
		}
	case "ch":
		for _, c := range strings.Split(val, "|") {
			var v any
			if err := json.Unmarshal([]byte(c), &v); err != nil || f.typ == tString {
				v = c
			}
			f.choices = append(f.choices, v)
		}
	case "max":
		f.maxLen, _ = strconv.Atoi(val)
	case "range":
		lo, hi, _ := strings.Cut(val, "..")
		l, _ := strconv.ParseFloat(lo, 64)
		h, _ := strconv.ParseFloat(hi, 64)
		f.min, f.max = &l, &h
	case "rel":
		f.target = val
	case "many":
		f.relatedType = "to_many"
	case "nested":
		f.nested = true
	case "rev":
		f.reverse = val
	case "cascade":
		f.cascade = true
	default:
		panic(fmt.Sprintf("sim schema: unknown flag %q on field %s", tok, f.name))
	}
}

// finish fills in what the flags imply: defaults by type, related kinds, boolean choices.
func (f *field) finish() {
	if f.typ == tRelated && f.relatedType == "" {
		f.relatedType = "to_one"
	}
	if f.typ == tBool && f.choices == nil {
		f.choices = []any{true, false}
	}
	if f.required {
		// A real schema shows required fields with a null default.
		f.def, f.hasDef = nil, true
	}
	if f.hasDef {
		return
	}
	f.hasDef = true
	switch {
	case f.relatedType == "to_many" || f.typ == tList:
		f.def = []any{}
	case f.nullable || f.typ == tRelated || f.typ == tDatetime || f.typ == tFile:
		f.def = nil
	case f.typ == tString:
		f.def = ""
	case f.typ == tBool:
		f.def = false
	case f.typ == tInt, f.typ == tFloat:
		f.def = 0
	}
}

// newResource builds a resource from its field table, adding the fields every resource of
// its API has (id, resource_uri and, for stamped configuration resources, creation_time).
func newResource(api, name, verbose string, stamped bool, spec string) *resource {
	r := &resource{api: api, name: name, verbose: verbose, stamped: stamped,
		byName: map[string]*field{}}
	r.list, r.detail = methodsGet, methodsGet
	if api == "configuration" {
		r.list, r.detail = methodsAll, methodsAll
		r.fields = append(r.fields, &field{name: "id", typ: tInt, blank: true, readonly: true,
			unique: true, def: "", hasDef: true, help: "Primary key.", filter: 1, order: true})
	}
	r.fields = append(r.fields, parseFields(spec)...)
	if stamped {
		r.fields = append(r.fields, &field{name: "creation_time", typ: tDatetime, readonly: true,
			hasDef: true, help: "The time at which this object was created.", filter: 1, order: true})
	}
	r.fields = append(r.fields, &field{name: "resource_uri", typ: tString, readonly: true,
		help: "URI of this resource."})
	for _, f := range r.fields {
		r.byName[f.name] = f
		if f.order {
			r.ordering = append(r.ordering, f.name)
		}
	}
	return r
}

// path is the list URI of the resource.
func (r *resource) path() string { return "/api/admin/" + r.api + "/v1/" + r.name + "/" }

// render builds the schema document once; schemaTime stands in for the timestamp a real node
// puts in creation_time's default.
func (r *resource) render(schemaTime string) {
	fields := make(map[string]any, len(r.fields))
	filtering := map[string]any{}
	for _, f := range r.fields {
		d := map[string]any{"type": f.typ, "nullable": f.nullable, "blank": f.blank,
			"readonly": f.readonly, "unique": f.unique, "help_text": f.help}
		if f.hasDef {
			d["default"] = f.def
			if f.name == "creation_time" {
				d["default"] = schemaTime
			}
		}
		if f.choices != nil {
			d["valid_choices"] = f.choices
		}
		if f.typ == tRelated {
			d["related_type"] = f.relatedType
		}
		fields[f.name] = d
		if f.filter != nil {
			filtering[f.name] = f.filter
		}
	}
	doc := map[string]any{
		"allowed_list_http_methods":   r.list,
		"allowed_detail_http_methods": r.detail,
		"default_format":              "application/json",
		"default_limit":               defaultLimit,
		"fields":                      fields,
	}
	if len(filtering) > 0 {
		doc["filtering"] = filtering
	}
	if len(r.ordering) > 0 {
		doc["ordering"] = r.ordering
	}
	r.schema, _ = json.Marshal(doc)
}

// allows reports whether method (upper case) is allowed on the list or detail URI.
func allows(methods []string, method string) bool {
	if method == "HEAD" {
		method = "GET"
	}
	for _, m := range methods {
		if strings.EqualFold(m, method) {
			return true
		}
	}
	return false
}

// allowHeader formats methods for an Allow header.
func allowHeader(methods []string) string {
	up := make([]string, len(methods))
	for i, m := range methods {
		up[i] = strings.ToUpper(m)
	}
	return strings.Join(up, ", ")
}

// catalog is every resource the simulator knows, by API and name, built once per Sim.
type catalog struct {
	apis     map[string]map[string]*resource // "configuration" -> name -> resource
	subs     map[string]*resource            // "status/participant/media_stream" -> resource
	commands map[string]map[string]*command  // group -> name -> command
}

func newCatalog(schemaTime string) *catalog {
	c := &catalog{apis: map[string]map[string]*resource{}, subs: map[string]*resource{},
		commands: map[string]map[string]*command{}}
	for _, r := range configResources() {
		c.add(r)
	}
	for _, r := range statusResources() {
		c.add(r)
	}
	for _, r := range historyResources() {
		c.add(r)
	}
	for key, r := range subResources() {
		r.render(schemaTime)
		c.subs[key] = r
	}
	for _, cmd := range commands() {
		if c.commands[cmd.group] == nil {
			c.commands[cmd.group] = map[string]*command{}
		}
		cmd.render()
		c.commands[cmd.group][cmd.name] = cmd
	}
	for _, byName := range c.apis {
		for _, r := range byName {
			r.render(schemaTime)
		}
	}
	return c
}

func (c *catalog) add(r *resource) {
	if c.apis[r.api] == nil {
		c.apis[r.api] = map[string]*resource{}
	}
	c.apis[r.api][r.name] = r
}

// lookup returns the resource api/name, or nil.
func (c *catalog) lookup(api, name string) *resource { return c.apis[api][name] }
