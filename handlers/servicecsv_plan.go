package handlers

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"pexops/pexip"
	"pexops/views"
)

// lookupChunk is how many names one name__in (or alias__in) lookup carries.
const lookupChunk = 50

// columnAliases are header names accepted for a column.
var columnAliases = map[string]string{"type": "service_type", "owner": "primary_owner_email_address",
	"owner_email": "primary_owner_email_address", "alias": "aliases", "host_pin": "pin"}

// planImport parses the CSV and judges every row against Pexip as it is now: which rows
// create a service, which update one (matched by name), and every row's problems. It reads
// but never writes.
func (h *Handler) planImport(ctx context.Context, text string) ([]importRow, error) {
	cols, records, err := parseImport(text)
	if err != nil {
		return nil, err
	}
	rows := make([]importRow, 0, len(records))
	var names, aliases []string
	for _, rec := range records {
		r := importRow{given: map[string]bool{}, values: formValues{}, cells: len(rec.cells), header: len(cols)}
		r.view.Line = rec.line
		for j, col := range cols {
			if len(rec.cells) == len(cols) {
				r.values[col] = importCell(col, rec.cells[j])
				r.given[col] = true
			} else if col == "name" && j < len(rec.cells) {
				r.values[col] = rec.cells[j] // shown beside the row's problem only
			}
		}
		r.view.Name = r.values["name"]
		r.view.Aliases = aliasList(r.values["aliases"])
		names = append(names, r.view.Name)
		aliases = append(aliases, r.view.Aliases...)
		rows = append(rows, r)
	}
	existing, err := h.servicesByName(ctx, names)
	if err != nil {
		return nil, err
	}
	owners, err := h.aliasOwners(ctx, aliases)
	if err != nil {
		return nil, err
	}
	schema := h.schemaOrNil(ctx, pexip.ResService)
	j := importJudge{schema: schema, existing: existing, owners: owners,
		names: map[string]int{}, aliases: map[string]int{}}
	for i := range rows {
		j.judge(&rows[i])
	}
	return rows, nil
}

// importCell is a cell's value: export's apostrophe removed, and surrounding spaces too
// where they cannot be meant (numbers, yes/no, choices, PINs, e-mail). Text keeps them, so
// an export imports back exactly.
func importCell(col, cell string) string {
	s, _ := specByName(col)
	switch s.kind {
	case kBool, kSelect, kInt, kPIN, kEmail:
		cell = strings.TrimSpace(cell)
	}
	return csvUnsafe(cell)
}

// importRecord is one non-blank CSV record and the line it starts on.
type importRecord struct {
	line  int
	cells []string
}

// parseImport reads the header and the records; a malformed file is a userError. A record
// with more or fewer cells than the header is kept, for the dry run to refuse.
func parseImport(text string) ([]string, []importRecord, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	all, lines, err := readAllLines(r)
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, errUser(http.StatusBadRequest, "The CSV cannot be read at line "+itoa(pe.Line)+": "+pe.Err.Error()+".")
		}
		return nil, nil, errUser(http.StatusBadRequest, "The CSV cannot be read.")
	}
	if len(all) < 2 {
		return nil, nil, errUser(http.StatusBadRequest, "The CSV needs a header line and at least one row.")
	}
	if len(all)-1 > maxImportRows {
		return nil, nil, errUser(http.StatusBadRequest, "At most "+itoa(maxImportRows)+" rows can be imported at once.")
	}
	cols, err := importColumns(all[0])
	if err != nil {
		return nil, nil, err
	}
	var records []importRecord
	for i, rec := range all[1:] {
		if strings.TrimSpace(strings.Join(rec, "")) != "" {
			records = append(records, importRecord{line: lines[i+1], cells: rec})
		}
	}
	return cols, records, nil
}

// readAllLines is csv.Reader.ReadAll with the line each record starts on (a quoted cell may
// span lines: aliases are one a line).
func readAllLines(r *csv.Reader) ([][]string, []int, error) {
	var all [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return all, lines, nil
		}
		if err != nil {
			return nil, nil, err
		}
		line, _ := r.FieldPos(0)
		all, lines = append(all, rec), append(lines, line)
	}
}

func importColumns(header []string) ([]string, error) {
	known := map[string]bool{}
	for _, c := range csvColumns {
		known[c] = true
	}
	seen := map[string]bool{}
	cols := make([]string, len(header))
	for i, raw := range header {
		col := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff")))
		if a, ok := columnAliases[col]; ok {
			col = a
		}
		if !known[col] {
			return nil, errUser(http.StatusBadRequest, "Unknown column \""+raw+"\". Known columns: "+strings.Join(csvColumns, ", ")+".")
		}
		if seen[col] {
			return nil, errUser(http.StatusBadRequest, "The column "+col+" appears twice.")
		}
		seen[col] = true
		cols[i] = col
	}
	if !seen["name"] {
		return nil, errUser(http.StatusBadRequest, "The CSV needs a name column.")
	}
	return cols, nil
}

// importJudge holds what every row is judged against.
type importJudge struct {
	schema   *pexip.Schema
	existing map[string]map[string]any // by name
	owners   map[string]string         // alias -> resource URI of its service
	names    map[string]int            // name -> first line using it
	aliases  map[string]int            // alias -> first line using it
}

// judge fills r.view (action, changes, problems) and r.body (what the bulk PATCH carries).
func (j *importJudge) judge(r *importRow) {
	v := &r.view
	if r.cells != r.header {
		v.Action = "error"
		v.Problems = []string{fmt.Sprintf("%d cells, the header has %d: check for an unquoted comma or a missing cell.",
			r.cells, r.header)}
		return
	}
	v.Problems = append(v.Problems, j.nameProblems(v)...)
	r.existing = j.existing[v.Name]
	if r.existing != nil {
		v.Aliases = keepExisting(v.Aliases, aliasNames(r.existing["aliases"]))
	}
	base := formValues{"service_type": pexip.ServiceVMR}
	if r.existing != nil {
		base = valuesFromObject(serviceSpecs, r.existing)
	}
	vals, problems := j.apply(r, base)
	v.Problems = append(v.Problems, problems...)
	v.Problems = append(v.Problems, j.aliasProblems(r)...)
	v.Type = vals["service_type"]
	if len(v.Problems) > 0 {
		v.Action = "error"
		return
	}
	if r.existing == nil {
		v.Action = "create"
		r.body = createBody(serviceSpecs, onlyGiven(vals, r.given))
		r.body["aliases"] = nestedAliases(nil, v.Aliases)
		return
	}
	changed := changedFields(serviceSpecs, base, vals)
	body := patchBody(changed, vals)
	for _, s := range changed {
		v.Changes = append(v.Changes, s.label)
	}
	add, remove := aliasChanges(r.existing["aliases"], v.Aliases)
	if r.given["aliases"] && len(add)+len(remove) > 0 {
		body["aliases"] = nestedAliases(r.existing["aliases"], v.Aliases)
		v.Changes = append(v.Changes, "aliases")
	}
	if len(body) == 0 {
		v.Action = "unchanged"
		return
	}
	v.Action = "update"
	body["resource_uri"], _ = r.existing["resource_uri"].(string)
	r.body = body
}

// nameProblems finds an empty name or one used twice in the file.
func (j *importJudge) nameProblems(v *views.ImportRow) []string {
	if v.Name == "" {
		return []string{"The name is empty."}
	}
	if first, dup := j.names[v.Name]; dup {
		return []string{"The name is also on line " + itoa(first) + "."}
	}
	j.names[v.Name] = v.Line
	return nil
}

// apply lays the row's cells over base and checks them as the form does. An empty cell of a
// choice or yes/no column leaves the value as it is.
func (j *importJudge) apply(r *importRow, base formValues) (formValues, []string) {
	vals := formValues{}
	for k, val := range base {
		vals[k] = val
	}
	var problems []string
	for col := range r.given {
		s, _ := specByName(col)
		cell := r.values[col]
		switch {
		case s.kind == kBool && cell == "", s.kind == kSelect && cell == "" && !s.null:
			continue
		case s.kind == kBool:
			b, ok := parseBool(cell)
			if !ok {
				problems = append(problems, col+": \""+cell+"\" is not yes or no.")
				continue
			}
			vals[col] = b
		case s.kind == kSelect && cell != "":
			if choices := choicesOf(j.schema, col, s.fallback); !contains(choices, cell) {
				problems = append(problems, col+": \""+cell+"\" is not one of "+strings.Join(choices, ", ")+".")
				continue
			}
			vals[col] = cell
		case s.kind == kAliases:
			vals[col] = strings.Join(r.view.Aliases, "\n")
		default:
			vals[col] = cell
		}
	}
	errs, _ := checkValues(serviceSpecs, vals)
	for _, s := range serviceSpecs {
		for _, e := range errs[s.name] {
			problems = append(problems, s.name+": "+e)
		}
	}
	return vals, problems
}

func parseBool(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "1":
		return "true", true
	case "false", "no", "n", "0":
		return "false", true
	}
	return "", false
}

// aliasProblems finds aliases used twice in the file or held by another service.
func (j *importJudge) aliasProblems(r *importRow) []string {
	var out []string
	own, _ := r.existing["resource_uri"].(string)
	for _, a := range r.view.Aliases {
		if first, dup := j.aliases[a]; dup {
			out = append(out, "The alias "+a+" is also on line "+itoa(first)+".")
			continue
		}
		j.aliases[a] = r.view.Line
		if owner, taken := j.owners[a]; taken && pexip.LastSegment(owner) != pexip.LastSegment(own) {
			out = append(out, "The alias "+a+" already belongs to another service.")
		}
	}
	return out
}

func onlyGiven(vals formValues, given map[string]bool) formValues {
	out := formValues{"service_type": vals["service_type"]}
	for k := range given {
		out[k] = vals[k]
	}
	return out
}

// nestedAliases is the aliases list of a write: aliases the service keeps go by their id (so
// they are kept, not re-created), new ones as {"alias": ...}.
func nestedAliases(current any, want []string) []map[string]any {
	ids := map[string]any{}
	list, _ := current.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if a, ok := m["alias"].(string); ok {
				ids[a] = m["id"]
			}
		}
	}
	out := []map[string]any{}
	for _, a := range want {
		if id, ok := ids[a]; ok && id != nil {
			out = append(out, map[string]any{"id": id, "alias": a})
			continue
		}
		out = append(out, map[string]any{"alias": a})
	}
	return out
}

// servicesByName reads the services named in the import: name__in lookups of lookupChunk
// names, and one exact lookup for each name holding a comma (which __in would split).
func (h *Handler) servicesByName(ctx context.Context, names []string) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	err := lookupIn(ctx, h.Pexip, pexip.ResService, "name", names, func(obj map[string]any) {
		n, _ := obj["name"].(string)
		out[n] = obj
	})
	return out, err
}

// aliasOwners reads which service holds each alias of the import.
func (h *Handler) aliasOwners(ctx context.Context, aliases []string) (map[string]string, error) {
	out := map[string]string{}
	err := lookupIn(ctx, h.Pexip, pexip.ResAlias, "alias", aliases, func(obj map[string]any) {
		a, _ := obj["alias"].(string)
		out[a] = relatedURI(obj["conference"], pexip.ResService)
	})
	return out, err
}

func lookupIn(ctx context.Context, c *pexip.Client, resource, field string, values []string, each func(map[string]any)) error {
	var plain []string
	seen := map[string]bool{}
	for _, v := range values {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		if strings.Contains(v, ",") {
			if err := lookupPage(ctx, c, resource, url.Values{field: {v}, "limit": {"1"}}, each); err != nil {
				return err
			}
			continue
		}
		plain = append(plain, v)
	}
	for start := 0; start < len(plain); start += lookupChunk {
		chunk := plain[start:min(len(plain), start+lookupChunk)]
		q := url.Values{field + "__in": {strings.Join(chunk, ",")}, "limit": {itoa(len(chunk))}}
		if err := lookupPage(ctx, c, resource, q, each); err != nil {
			return err
		}
	}
	return nil
}

func lookupPage(ctx context.Context, c *pexip.Client, resource string, q url.Values, each func(map[string]any)) error {
	page, err := pexip.ListPage[map[string]any](ctx, c, resource, q)
	if err != nil {
		return err
	}
	for _, obj := range page.Objects {
		each(obj)
	}
	return nil
}
