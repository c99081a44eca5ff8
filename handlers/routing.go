package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// ruleSpecs are the fields of the Call Routing Rule form.
var ruleSpecs = []fieldSpec{
	{name: "name", label: "Name", maxLen: 250, section: "Rule"},
	{name: "description", label: "Description", maxLen: 250, section: "Rule"},
	{name: "priority", label: "Priority", kind: kInt, section: "Rule", help: "Required: 1 to 200; rules are tried from the lowest number."},
	{name: "enable", label: "Enabled", kind: kBool, section: "Rule"},
	{name: "tag", label: "Tag", maxLen: 250, section: "Rule"},
	{name: "match_string", label: "Match string (regular expression)", kind: kRegex, maxLen: 250, section: "Match",
		help: "The whole dialled alias must match, e.g. 9(.*) or .*@example\\.com."},
	{name: "match_string_full", label: "Match against the full alias URI (with scheme and parameters)", kind: kBool, section: "Match"},
	{name: "replace_string", label: "Replace string", maxLen: 250, section: "Match",
		help: "What the alias becomes, \\1 for the first group; empty keeps the alias."},
	{name: "match_incoming_calls", label: "Match incoming calls", kind: kBool, section: "Match"},
	{name: "match_outgoing_calls", label: "Match outgoing calls from services", kind: kBool, section: "Match"},
	{name: "match_incoming_sip", label: "Incoming SIP", kind: kBool, section: "Match"},
	{name: "match_incoming_h323", label: "Incoming H.323", kind: kBool, section: "Match"},
	{name: "match_incoming_mssip", label: "Incoming Microsoft SIP", kind: kBool, section: "Match"},
	{name: "match_incoming_webrtc", label: "Incoming WebRTC", kind: kBool, section: "Match"},
	{name: "called_device_type", label: "Call target", kind: kSelect, section: "Destination",
		fallback: []string{"external", "registration", "mssip_conference_id", "mssip_server", "gms_conference", "teams_conference", "teams_user"}},
	{name: "outgoing_protocol", label: "Outgoing protocol", kind: kSelect, fallback: []string{"sip", "h323", "mssip", "rtmp", "gms", "teams"}, section: "Destination"},
	{name: "call_type", label: "Call type", kind: kSelect, fallback: []string{"video", "video-only", "audio", "auto"}, section: "Destination"},
	{name: "outgoing_location", label: "Outgoing location", kind: kRelated, related: pexip.ResLocationConfig, section: "Destination"},
}

// routingRoutes are the Call Routing Rule pages.
func (h *Handler) routingRoutes(s, adm *echo.Group) {
	s.GET("/routing", h.handleRoutingList)
	s.GET("/routing/test", h.handleRouteTest)
	adm.GET("/routing/new", h.handleRuleNew)
	adm.POST("/routing", h.handleRuleCreate)
	s.GET("/routing/:id", h.handleRuleEdit)
	adm.POST("/routing/:id", h.handleRuleUpdate)
	adm.POST("/routing/:id/preview", h.handleRulePreview)
	adm.GET("/routing/:id/delete", h.handleRuleDeleteConfirm)
	adm.POST("/routing/:id/delete", h.handleRuleDelete)
}

func ruleID(c echo.Context) (int, error) { return positiveID(c.Param("id"), "rule") }

// handleRoutingList lists the rules by priority, a page at a time, and runs the match test
// when an alias is given.
func (h *Handler) handleRoutingList(c echo.Context) error {
	ctx := h.reads(c)
	schema := h.schemaOrNil(ctx, pexip.ResRoutingRule)
	sortOK := sortable(schema, "priority", "name")
	q := listQuery(c, "/routing", sortOK, "priority")
	q.Type, q.Field = "", "" // neither applies to this resource
	props := views.RoutingProps{Chrome: h.chrome(c, "services"), Q: q, Saved: savedText(c), Sortable: sortOK,
		Pager: views.ListPager{Offset: q.Offset, Limit: servicesPageSize, TotalExact: true}}
	if c.QueryParam("alias") != "" {
		props.Test = h.runRouteTest(c)
	}
	v := baseQuery(q, sortOK)
	v.Set("limit", itoa(servicesPageSize))
	v.Set("offset", itoa(q.Offset))
	if q.Query != "" && !filterable(schema, "name") {
		props.Error = "This Management Node does not allow searching by name."
		return render(c, http.StatusBadRequest, views.RoutingPage(props))
	}
	if q.Query != "" {
		v.Set("name__icontains", q.Query)
	}
	page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResRoutingRule, v)
	if err != nil {
		status, _, msg := classify(err)
		h.log.Warn("list routing rules", "error", err)
		props.Error, props.Pager.Unread = msg, true
		return render(c, status, views.RoutingPage(props))
	}
	for _, obj := range page.Objects {
		props.Rows = append(props.Rows, ruleRowOf(obj))
	}
	props.Pager.Total, props.Pager.Shown = page.Meta.TotalCount, len(props.Rows)
	return ok(c, views.RoutingPage(props))
}

func ruleRowOf(obj map[string]any) views.RuleRow {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	flag := func(k string) bool { b, _ := obj[k].(bool); return b }
	return views.RuleRow{ID: idOf(obj), Priority: intOf(obj["priority"]), Name: str("name"),
		Enabled: flag("enable"), MatchString: str("match_string"), Replace: str("replace_string"),
		Incoming: flag("match_incoming_calls"), Outgoing: flag("match_outgoing_calls"),
		Protocol: str("outgoing_protocol"), DeviceType: str("called_device_type"), Tag: str("tag"),
		Description: str("description")}
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// handleRouteTest answers the match test as a fragment for htmx, or as the whole page.
func (h *Handler) handleRouteTest(c echo.Context) error {
	if !isHTMX(c) {
		return c.Redirect(http.StatusSeeOther, "/routing?"+c.QueryString())
	}
	return ok(c, views.RouteTestPanel(h.runRouteTest(c)))
}

// runRouteTest reads every rule in priority order (one list, followed to its end) and
// evaluates them against the alias typed.
func (h *Handler) runRouteTest(c echo.Context) views.RouteTest {
	call := testCall{alias: c.QueryParam("alias"), direction: c.QueryParam("direction"), protocol: c.QueryParam("protocol")}
	if call.direction != "outgoing" {
		call.direction = "incoming"
	}
	if !contains([]string{"sip", "h323", "mssip", "webrtc"}, call.protocol) {
		call.protocol = "sip"
	}
	t := views.RouteTest{Alias: call.alias, Direction: call.direction, Protocol: call.protocol}
	if call.alias == "" {
		t.Error = "Type the alias a caller dials."
		return t
	}
	q := url.Values{"order_by": {"priority", "id"}}
	rules, err := pexip.ListAll[map[string]any](h.reads(c), h.Pexip, pexip.ResRoutingRule, q)
	if err != nil {
		_, _, t.Error = classify(err)
		return t
	}
	return evaluateRules(rules, call, t)
}

func (h *Handler) handleRuleNew(c echo.Context) error {
	v := formValues{"enable": "true", "priority": "100", "match_incoming_calls": "true", "match_outgoing_calls": "false",
		"match_incoming_sip": "true", "match_incoming_h323": "true", "match_incoming_mssip": "true",
		"match_incoming_webrtc": "true", "match_string_full": "false", "called_device_type": "external",
		"outgoing_protocol": "sip", "call_type": "video"}
	return h.ruleForm(c, http.StatusOK, ruleFormState{values: v})
}

type ruleFormState struct {
	id      int
	values  formValues
	errs    formErrors
	warns   map[string]string
	general []string
	err     string
	saved   string
	preview *views.FormPreview
	base    string
}

func (h *Handler) ruleForm(c echo.Context, status int, st ruleFormState) error {
	ch := h.chrome(c, "services")
	schema := h.schemaOrNil(h.reads(c), pexip.ResRoutingRule)
	if st.warns == nil {
		_, st.warns = checkValues(ruleSpecs, st.values)
	}
	related, failed := h.relatedChoices(c, ruleSpecs)
	warns, notice := degraded(schema, failed, st.warns)
	f := views.ConfigForm{Kind: "rule", Title: "New call routing rule", Action: "/routing", CancelURL: "/routing",
		Error: st.err, Errors: st.general, ReadOnly: !ch.CanConfigure, Saved: st.saved, Preview: st.preview,
		Fields: formFields(ruleSpecs, st.values, st.errs, warns, schema, related), Notice: notice}
	if f.ReadOnly {
		hideSecrets(ruleSpecs, f.Fields)
	}
	if st.id != 0 {
		f.Title = "Rule " + st.values["name"]
		f.Base = st.base
		f.Action = "/routing/" + itoa(st.id)
		f.PreviewURL = f.Action + "/preview"
		f.DeleteURL = f.Action + "/delete"
	}
	return render(c, status, views.ConfigFormPage(views.ConfigFormProps{Chrome: ch, Nav: "routing", Form: f}, nil))
}

func (h *Handler) handleRuleEdit(c echo.Context) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResRoutingRule, id)
	if err != nil {
		return err
	}
	st := ruleFormState{id: id, values: valuesFromObject(ruleSpecs, obj)}
	st.base = h.fingerprint(st.values)
	if c.QueryParam("saved") != "" {
		st.saved = "Saved."
	}
	return h.ruleForm(c, http.StatusOK, st)
}

func (h *Handler) handleRuleCreate(c echo.Context) error {
	v := valuesFromRequest(c, ruleSpecs, formValues{})
	st := ruleFormState{values: v}
	if errs, warns := checkValues(ruleSpecs, v); len(errs) > 0 {
		st.errs, st.warns, st.err = errs, warns, "Correct the fields marked below; nothing was sent to Pexip."
		return h.ruleForm(c, http.StatusUnprocessableEntity, st)
	}
	body := createBody(ruleSpecs, v)
	id, err := h.Pexip.Create(c.Request().Context(), pexip.ResRoutingRule, body)
	h.recordChange(c, "create", pexip.ResRoutingRule, id, v["name"], body, err)
	if err != nil {
		return h.ruleFailed(c, st, err)
	}
	return c.Redirect(http.StatusSeeOther, "/routing/"+url.PathEscape(id)+"?saved=1")
}

func (h *Handler) ruleFailed(c echo.Context, st ruleFormState, err error) error {
	if st.id != 0 && errors.Is(err, pexip.ErrNotFound) {
		return h.ruleReadFailed(c, st.id, err)
	}
	status, msg, errs, general := formFailure(h, ruleSpecs, "rule", err)
	st.errs, st.general, st.err = errs, general, msg
	return h.ruleForm(c, status, st)
}

func (h *Handler) handleRuleUpdate(c echo.Context) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	obj, err := h.readObject(h.reads(c), pexip.ResRoutingRule, id)
	if err != nil {
		return h.ruleReadFailed(c, id, err)
	}
	old := valuesFromObject(ruleSpecs, obj)
	v := valuesFromRequest(c, ruleSpecs, old)
	st := ruleFormState{id: id, values: v, base: h.formBase(c, old)}
	if h.changedSince(c, old) {
		st.err, st.base = conflictMessage, h.fingerprint(old)
		st.preview = &views.FormPreview{Changes: fieldChanges(changedFields(ruleSpecs, old, v), old, v)}
		return h.ruleForm(c, http.StatusConflict, st)
	}
	if errs, warns := checkValues(ruleSpecs, v); len(errs) > 0 {
		st.errs, st.warns, st.err = errs, warns, "Correct the fields marked below; nothing was sent to Pexip."
		return h.ruleForm(c, http.StatusUnprocessableEntity, st)
	}
	body := patchBody(changedFields(ruleSpecs, old, v), v)
	err = h.Pexip.Update(ctx, pexip.ResRoutingRule, itoa(id), body)
	if len(body) > 0 {
		h.recordChange(c, "update", pexip.ResRoutingRule, itoa(id), v["name"], body, err)
	}
	if err != nil {
		return h.ruleFailed(c, st, err)
	}
	return c.Redirect(http.StatusSeeOther, "/routing/"+itoa(id)+"?saved=1")
}

// handleRulePreview shows the fields a save of the rule would change, old and new.
func (h *Handler) handleRulePreview(c echo.Context) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResRoutingRule, id)
	if err != nil {
		return h.ruleReadFailed(c, id, err)
	}
	old := valuesFromObject(ruleSpecs, obj)
	v := valuesFromRequest(c, ruleSpecs, old)
	errs, warns := checkValues(ruleSpecs, v)
	p := &views.FormPreview{Changes: fieldChanges(changedFields(ruleSpecs, old, v), old, v)}
	if h.changedSince(c, old) {
		p.Note = "This rule changed in Pexip after you opened the form: the list compares with the current version."
	}
	return previewAnswer(c, "rule", ruleSpecs, p, errs, func() error {
		return h.ruleForm(c, http.StatusOK, ruleFormState{id: id, values: v, errs: errs, warns: warns, preview: p,
			base: h.formBase(c, old)})
	})
}

// ruleReadFailed is serviceReadFailed for a rule.
func (h *Handler) ruleReadFailed(c echo.Context, id int, err error) error {
	status, msg, gone := editFailure(h, "rule", err)
	if isHTMX(c) {
		return render(c, status, views.PreviewFragment("rule", views.FormPreview{Error: msg}))
	}
	st := ruleFormState{values: valuesFromRequest(c, ruleSpecs, formValues{}), err: msg}
	if !gone {
		st.id, st.base = id, c.FormValue("_base")
	}
	return h.ruleForm(c, status, st)
}

func (h *Handler) handleRuleDeleteConfirm(c echo.Context) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResRoutingRule, id)
	if err != nil {
		return err
	}
	r := ruleRowOf(obj)
	return ok(c, views.DeleteRulePage(views.DeleteRuleProps{Chrome: h.chrome(c, "services"), ID: id,
		Name: r.Name, Priority: r.Priority, Match: r.MatchString}))
}

func (h *Handler) handleRuleDelete(c echo.Context) error {
	id, err := ruleID(c)
	if err != nil {
		return err
	}
	if c.FormValue("id") != itoa(id) {
		return errUser(http.StatusBadRequest, "The confirmation does not match this rule; nothing was deleted.")
	}
	err = h.Pexip.Delete(c.Request().Context(), pexip.ResRoutingRule, itoa(id))
	h.recordChange(c, "delete", pexip.ResRoutingRule, itoa(id), "", nil, err)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/routing?deleted=1")
}
