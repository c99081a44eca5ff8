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
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// csvColumns are the columns import reads and export writes, all fields of serviceSpecs.
// Export leaves out the PINs: a spreadsheet is no place for them. An import may set them.
var csvColumns = []string{"name", "service_type", "aliases", "description", "tag",
	"primary_owner_email_address", "allow_guests", "pin", "guest_pin", "participant_limit",
	"call_type", "max_callrate_in", "max_callrate_out", "host_view", "guest_view", "enable_chat",
	"guests_can_present", "mute_all_guests", "match_string", "replace_string"}

// maxImportBytes and maxImportRows bound one import. The request itself is bounded only by
// the console-wide body limit (maxBody, 4M), which leaves room for a file of
// maxImportBytes and the form around it: an upload between the two is answered with
// importTooLarge on the import page, and only a larger one with the console's own 413.
const (
	maxImportBytes = 2 << 20
	maxImportRows  = 2000
	importTooLarge = "The CSV is larger than 2 MB; split it into several imports."
)

func specByName(name string) (fieldSpec, bool) {
	for _, s := range serviceSpecs {
		if s.name == name {
			return s, true
		}
	}
	return fieldSpec{}, false
}

// formulaStarters are the first characters that make a spreadsheet read a cell as a
// formula: = + - @, tab, CR and LF, their full-width forms (Excel reads ＝1+1 as a formula)
// and their small forms.
const formulaStarters = "=+-@\t\r\n＝＋－＠﹦﹢﹣﹫"

// csvSafe defuses a cell a spreadsheet would run as a formula: it gets a leading apostrophe.
// A cell that starts with an apostrophe gets one too, so that import (csvUnsafe) can remove
// exactly the apostrophes export added and a value's own leading apostrophe survives.
func csvSafe(s string) string {
	if needsApostrophe(s) {
		return "'" + s
	}
	return s
}

// csvUnsafe undoes csvSafe on import: an apostrophe before a formula starter or another
// apostrophe is export's; any other leading apostrophe belongs to the value.
func csvUnsafe(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && needsApostrophe(rest) {
		return rest
	}
	return s
}

func needsApostrophe(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && (r == '\'' || strings.ContainsRune(formulaStarters, r))
}

// handleServicesExport writes the filtered list (every page of it) as CSV.
func (h *Handler) handleServicesExport(c echo.Context) error {
	ctx := c.Request().Context()
	schema := h.schemaOrNil(ctx, pexip.ResService)
	sortOK := sortable(schema, "name")
	q := listQuery(c, "/services", sortOK, "name")
	objs, err := h.exportServices(ctx, q, sortOK, searchable(schema))
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="services.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response().Writer)
	cols := exportColumns()
	if err := w.Write(cols); err != nil {
		return nil // the client went away; nothing more can be said to it
	}
	for _, obj := range objs {
		row := make([]string, len(cols))
		for i, col := range cols {
			s, _ := specByName(col)
			// Aliases go one a line inside the quoted cell: a line break is the one
			// separator an alias cannot hold (the form, too, takes them one a line), while
			// spaces, ; , | and quotes all may appear in a Pexip alias.
			text := textOf(s, obj[col])
			row[i] = csvSafe(text)
		}
		if err := w.Write(row); err != nil {
			return nil
		}
	}
	w.Flush()
	return nil
}

func exportColumns() []string {
	var out []string
	for _, c := range csvColumns {
		if c != "pin" && c != "guest_pin" {
			out = append(out, c)
		}
	}
	return out
}

// exportServices reads every service the list's filters select.
func (h *Handler) exportServices(ctx context.Context, q views.ListQuery, sortOK map[string]bool,
	fields []searchField) ([]map[string]any, error) {
	base := baseQuery(q, sortOK)
	if q.Query == "" || q.Field != "" {
		if q.Query != "" && !searchesField(fields, q.Field) {
			return nil, errUser(http.StatusBadRequest, "This Management Node does not allow searching by "+q.Field+".")
		}
		if q.Query != "" {
			base.Set(searchFilter(q.Field), q.Query)
		}
		objs, err := pexip.ListAll[map[string]any](ctx, h.Pexip, pexip.ResService, base)
		return dedupe(objs), err
	}
	var all []map[string]any
	for _, f := range fields {
		v := url.Values{}
		for k, vals := range base {
			v[k] = vals
		}
		v.Set(f.filter, q.Query)
		objs, err := pexip.ListAll[map[string]any](ctx, h.Pexip, pexip.ResService, v)
		if err != nil {
			return nil, err
		}
		all = append(all, objs...)
	}
	all = dedupe(all)
	sortObjects(all, q.Sort)
	return all, nil
}

func (h *Handler) handleImportForm(c echo.Context) error {
	return ok(c, views.ImportPage(views.ImportProps{Chrome: h.chrome(c, "services"), Columns: csvColumns,
		CSV: strings.Join(csvColumns[:6], ",") + "\n"}))
}

// importRow is one parsed CSV line and what it would do.
type importRow struct {
	view     views.ImportRow
	cells    int // cells in the record; a row whose count differs from header's is refused
	header   int
	given    map[string]bool
	values   formValues
	existing map[string]any
	body     map[string]any
}

// handleImport runs the dry run, or (step=import, after a clean dry run) sends every row in
// one bulk PATCH. Both re-read Pexip, so the import acts on the platform as it is now.
func (h *Handler) handleImport(c echo.Context) error {
	props := views.ImportProps{Chrome: h.chrome(c, "services"), Columns: csvColumns}
	text, err := importText(c)
	props.CSV = text
	if err != nil {
		props.Error = err.Error()
		return render(c, http.StatusBadRequest, views.ImportPage(props))
	}
	rows, err := h.planImport(c.Request().Context(), text)
	if err != nil {
		var ue *userError
		if !errors.As(err, &ue) {
			_, _, msg := classify(err)
			h.log.Warn("plan import", "error", err)
			props.Error = msg + " Nothing was sent."
			return render(c, http.StatusBadGateway, views.ImportPage(props))
		}
		props.Error = ue.msg
		return render(c, http.StatusBadRequest, views.ImportPage(props))
	}
	props.Ran = true
	for _, r := range rows {
		props.Rows = append(props.Rows, r.view)
		switch r.view.Action {
		case "create":
			props.Creates++
		case "update":
			props.Updates++
		case "error":
			props.Problems++
		}
	}
	if c.FormValue("step") != "import" || props.Problems > 0 || props.Creates+props.Updates == 0 {
		status := http.StatusOK
		if props.Problems > 0 {
			status = http.StatusUnprocessableEntity
		}
		return render(c, status, views.ImportPage(props))
	}
	return h.runImport(c, rows, props)
}

// runImport sends the planned rows as one bulk PATCH of the services collection.
func (h *Handler) runImport(c echo.Context, rows []importRow, props views.ImportProps) error {
	var objects []map[string]any
	for _, r := range rows {
		if r.body != nil {
			objects = append(objects, r.body)
		}
	}
	err := h.Pexip.BulkPatch(c.Request().Context(), pexip.ResService, objects, nil)
	for _, r := range rows {
		if r.body != nil {
			verb := map[bool]string{true: "update", false: "create"}[r.existing != nil]
			h.recordChange(c, verb, pexip.ResService, textOf(fieldSpec{}, r.existing["id"]), r.view.Name, r.body, err)
		}
	}
	if err != nil {
		var ae *pexip.APIError
		props.Error = "Pexip refused the import, and nothing was changed: "
		if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
			props.Error += importAPIMessage(ae)
			return render(c, http.StatusUnprocessableEntity, views.ImportPage(props))
		}
		_, _, msg := classify(err)
		props.Error += msg
		return render(c, http.StatusBadGateway, views.ImportPage(props))
	}
	props.Ran, props.Rows = false, nil
	props.Saved = fmt.Sprintf("Imported: %d created, %d updated.", props.Creates, props.Updates)
	props.CSV = ""
	return ok(c, views.ImportPage(props))
}

func importAPIMessage(ae *pexip.APIError) string {
	if len(ae.Fields) == 0 {
		return ae.Message
	}
	var parts []string
	for f, msgs := range ae.Fields {
		parts = append(parts, f+": "+strings.Join(msgs, " "))
	}
	return strings.Join(parts, "; ")
}

// importText is the uploaded file, or else the pasted text.
func importText(c echo.Context) (string, error) {
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		if fh.Size > maxImportBytes {
			return "", errors.New(importTooLarge)
		}
		f, err := fh.Open()
		if err != nil {
			return "", errors.New("The uploaded file could not be read.")
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
		if err != nil {
			return "", errors.New("The uploaded file could not be read.")
		}
		return strings.TrimPrefix(string(b), "\ufeff"), nil
	}
	text := c.FormValue("csv")
	if len(text) > maxImportBytes {
		return text[:0], errors.New(importTooLarge)
	}
	if strings.TrimSpace(text) == "" {
		return text, errors.New("Choose a CSV file or paste its text.")
	}
	return strings.TrimPrefix(text, "\ufeff"), nil
}
