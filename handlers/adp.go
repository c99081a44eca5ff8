package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// adpSpecs are the fields of the Automatically Dialled Participant form. Which services dial
// the participant is the "services" field, names one a line.
var adpSpecs = []fieldSpec{
	{name: "alias", label: "Alias to dial", maxLen: 250, section: "Participant"},
	{name: "remote_display_name", label: "Display name", maxLen: 250, section: "Participant"},
	{name: "description", label: "Description", maxLen: 250, section: "Participant"},
	{name: "protocol", label: "Protocol", kind: kSelect, fallback: []string{"sip", "h323", "mssip", "rtmp", "gms", "teams"}, section: "Call"},
	{name: "role", label: "Role", kind: kSelect, fallback: []string{"guest", "chair"}, section: "Call",
		help: "chair is a Host."},
	{name: "call_type", label: "Call type", kind: kSelect, fallback: []string{"video", "video-only", "audio"}, section: "Call"},
	{name: "routing", label: "Routing", kind: kSelect, fallback: []string{"manual", "routing_rule"}, section: "Call"},
	{name: "system_location", label: "Dial from location", kind: kRelated, related: pexip.ResLocationConfig, section: "Call"},
	{name: "keep_conference_alive", label: "Keeps the conference alive", kind: kSelect,
		fallback: []string{"keep_conference_alive_if_multiple", "keep_conference_alive", "keep_conference_alive_never"}, section: "Call"},
	{name: "dtmf_sequence", label: "DTMF after connecting", maxLen: 250, section: "Call", secret: true,
		help: "A comma is a two second pause."},
	{name: "streaming", label: "Streaming or recording device", kind: kBool, section: "Call"},
	{name: "presentation_url", label: "Presentation RTMP URL", maxLen: 250, section: "Call"},
	{name: "services", label: "Dialled by services", kind: kTextarea, section: "Services",
		help: "Service names, one a line. The participant is dialled when any of them starts."},
}

// adpRoutes are the Automatically Dialled Participant pages.
func (h *Handler) adpRoutes(s, adm *echo.Group) {
	s.GET("/adps", h.handleADPList)
	adm.GET("/adps/new", h.handleADPNew)
	adm.POST("/adps", h.handleADPCreate)
	s.GET("/adps/:id", h.handleADPEdit)
	adm.POST("/adps/:id", h.handleADPUpdate)
	adm.POST("/adps/:id/preview", h.handleADPPreview)
	adm.GET("/adps/:id/delete", h.handleADPDeleteConfirm)
	adm.POST("/adps/:id/delete", h.handleADPDelete)
}

func adpID(c echo.Context) (int, error) { return positiveID(c.Param("id"), "participant") }

func serviceURI(id int) string { return "/api/admin/" + pexip.ResService + "/" + itoa(id) + "/" }

func (h *Handler) handleADPList(c echo.Context) error {
	ctx := h.reads(c)
	schema := h.schemaOrNil(ctx, pexip.ResAutoParticipant)
	sortOK := sortable(schema, "alias")
	q := listQuery(c, "/adps", sortOK, "alias")
	q.Type, q.Field = "", "" // neither applies to this resource
	props := views.ADPsProps{Chrome: h.chrome(c, "services"), Q: q, Saved: savedText(c), Sortable: sortOK,
		Pager: views.ListPager{Offset: q.Offset, Limit: servicesPageSize, TotalExact: true}}
	v := baseQuery(q, sortOK)
	v.Set("limit", itoa(servicesPageSize))
	v.Set("offset", itoa(q.Offset))
	if q.Query != "" && !filterable(schema, "alias") {
		props.Error = "This Management Node does not allow searching by alias."
		return render(c, http.StatusBadRequest, views.ADPsPage(props))
	}
	if q.Query != "" {
		v.Set("alias__icontains", q.Query)
	}
	page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResAutoParticipant, v)
	if err != nil {
		status, _, msg := classify(err)
		h.log.Warn("list automatic participants", "error", err)
		props.Error, props.Pager.Unread = msg, true
		return render(c, status, views.ADPsPage(props))
	}
	names := h.serviceNames(ctx, page.Objects)
	for _, obj := range page.Objects {
		props.Rows = append(props.Rows, adpRowOf(obj, names))
	}
	props.Pager.Total, props.Pager.Shown = page.Meta.TotalCount, len(props.Rows)
	return ok(c, views.ADPsPage(props))
}

// serviceNames names the services the ADPs are linked to (see servicesByID).
func (h *Handler) serviceNames(ctx context.Context, adps []map[string]any) map[int]string {
	ids := map[int]bool{}
	for _, a := range adps {
		for _, id := range linkedIDs(a) {
			ids[id] = true
		}
	}
	names := map[int]string{}
	if len(ids) == 0 {
		return names
	}
	list := make([]int, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Ints(list)
	objs, err := h.servicesByID(ctx, list)
	if err != nil {
		h.log.Warn("name linked services", "error", err)
		return names
	}
	for _, s := range objs {
		n, _ := s["name"].(string)
		names[idOf(s)] = n
	}
	return names
}

// linkedIDs are the service ids in an ADP's conference list.
func linkedIDs(adp map[string]any) []int {
	list, _ := adp["conference"].([]any)
	var out []int
	for _, e := range list {
		if id, err := positiveID(pexip.LastSegment(relatedURI(e, pexip.ResService)), "service"); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func adpRowOf(obj map[string]any, names map[int]string) views.ADPRow {
	str := func(k string) string { s, _ := obj[k].(string); return s }
	r := views.ADPRow{ID: idOf(obj), Alias: str("alias"), DisplayName: str("remote_display_name"),
		Protocol: str("protocol"), Role: str("role"), Description: str("description")}
	for _, id := range linkedIDs(obj) {
		if n, ok := names[id]; ok {
			r.Services = append(r.Services, views.ServiceRef{ID: id, Name: n})
		} else {
			r.Unknown++
		}
	}
	return r
}

// adpValues are an ADP's form values, with its services named one a line.
func (h *Handler) adpValues(ctx context.Context, obj map[string]any) formValues {
	v := valuesFromObject(adpSpecs, obj)
	names := h.serviceNames(ctx, []map[string]any{obj})
	var lines []string
	for _, id := range linkedIDs(obj) {
		if n, ok := names[id]; ok {
			lines = append(lines, n)
		}
	}
	sort.Strings(lines)
	v["services"] = strings.Join(lines, "\n")
	return v
}

// adpRequest reads the submitted ADP form over old; the services are a set, so their order
// is not a change.
func adpRequest(c echo.Context, old formValues) formValues {
	v := valuesFromRequest(c, adpSpecs, old)
	names := strings.Split(v["services"], "\n")
	sort.Strings(names)
	v["services"] = strings.TrimSpace(strings.Join(names, "\n"))
	return v
}

type adpFormState struct {
	id      int
	values  formValues
	errs    formErrors
	general []string
	err     string
	saved   string
	preview *views.FormPreview
	base    string
}

func (h *Handler) adpForm(c echo.Context, status int, st adpFormState) error {
	ch := h.chrome(c, "services")
	schema := h.schemaOrNil(h.reads(c), pexip.ResAutoParticipant)
	related, failed := h.relatedChoices(c, adpSpecs)
	warns, notice := degraded(schema, failed, nil)
	f := views.ConfigForm{Kind: "adp", Title: "New automatically dialled participant", Action: "/adps",
		CancelURL: "/adps", Error: st.err, Errors: st.general, ReadOnly: !ch.CanConfigure, Saved: st.saved,
		Preview: st.preview, Notice: notice, Fields: formFields(adpSpecs, st.values, st.errs, warns, schema, related)}
	if f.ReadOnly {
		hideSecrets(adpSpecs, f.Fields)
	}
	if st.id != 0 {
		f.Title = "Participant " + st.values["alias"]
		f.Base = st.base
		f.Action = "/adps/" + itoa(st.id)
		f.PreviewURL = f.Action + "/preview"
		f.DeleteURL = f.Action + "/delete"
	}
	return render(c, status, views.ConfigFormPage(views.ConfigFormProps{Chrome: ch, Nav: "adps", Form: f}, nil))
}

func (h *Handler) handleADPNew(c echo.Context) error {
	v := formValues{"protocol": "sip", "role": "guest", "call_type": "video", "routing": "manual",
		"keep_conference_alive": "keep_conference_alive_if_multiple", "streaming": "false"}
	if id, err := positiveID(c.QueryParam("service"), "service"); err == nil {
		if obj, err := h.readObject(h.reads(c), pexip.ResService, id); err == nil {
			v["services"], _ = obj["name"].(string)
		}
	}
	return h.adpForm(c, http.StatusOK, adpFormState{values: v})
}

func (h *Handler) handleADPEdit(c echo.Context) error {
	id, err := adpID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResAutoParticipant, id)
	if err != nil {
		return err
	}
	st := adpFormState{id: id, values: h.adpValues(h.reads(c), obj)}
	st.base = h.fingerprint(st.values)
	if c.QueryParam("saved") != "" {
		st.saved = "Saved."
	}
	return h.adpForm(c, http.StatusOK, st)
}

// resolveServices turns service names into URIs, one exact-name lookup each; names Pexip
// does not know are errors beside the field.
func (h *Handler) resolveServices(ctx context.Context, text string) ([]any, formErrors, error) {
	uris := []any{}
	errs := formErrors{}
	for _, line := range strings.Split(text, "\n") {
		name := strings.TrimSpace(line)
		if name == "" {
			continue
		}
		page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResService, url.Values{"name": {name}, "limit": {"1"}})
		if err != nil {
			return nil, nil, err
		}
		if len(page.Objects) == 0 {
			errs.add("services", "There is no service named "+name+".")
			continue
		}
		uris = append(uris, serviceURI(idOf(page.Objects[0])))
	}
	return uris, errs, nil
}

func (h *Handler) handleADPCreate(c echo.Context) error {
	ctx := c.Request().Context()
	v := valuesFromRequest(c, adpSpecs, formValues{})
	errs, _ := checkValues(adpSpecs, v)
	uris, serr, err := h.resolveServices(h.reads(c), v["services"])
	if err != nil {
		return h.adpFailed(c, adpFormState{values: v}, err)
	}
	for k, m := range serr {
		errs[k] = append(errs[k], m...)
	}
	if len(errs) > 0 {
		return h.adpForm(c, http.StatusUnprocessableEntity, adpFormState{values: v, errs: errs,
			err: "Correct the fields marked below; nothing was sent to Pexip."})
	}
	body := createBody(adpSpecs[:len(adpSpecs)-1], v)
	body["conference"] = uris
	id, err := h.Pexip.Create(ctx, pexip.ResAutoParticipant, body)
	h.recordChange(c, "create", pexip.ResAutoParticipant, id, v["alias"], body, err)
	if err != nil {
		return h.adpFailed(c, adpFormState{values: v}, err)
	}
	return c.Redirect(http.StatusSeeOther, "/adps/"+url.PathEscape(id)+"?saved=1")
}

func (h *Handler) adpFailed(c echo.Context, st adpFormState, err error) error {
	if st.id != 0 && errors.Is(err, pexip.ErrNotFound) {
		return h.adpReadFailed(c, st.id, err)
	}
	status, msg, errs, general := formFailure(h, adpSpecs, "participant", err)
	st.errs, st.general, st.err = errs, general, msg
	return h.adpForm(c, status, st)
}

func (h *Handler) handleADPUpdate(c echo.Context) error {
	id, err := adpID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	obj, err := h.readObject(h.reads(c), pexip.ResAutoParticipant, id)
	if err != nil {
		return h.adpReadFailed(c, id, err)
	}
	old := h.adpValues(h.reads(c), obj)
	v := adpRequest(c, old)
	st := adpFormState{id: id, values: v, base: h.formBase(c, old)}
	if h.changedSince(c, old) {
		st.err, st.base = conflictMessage, h.fingerprint(old)
		st.preview = &views.FormPreview{Changes: fieldChanges(changedFields(adpSpecs, old, v), old, v)}
		return h.adpForm(c, http.StatusConflict, st)
	}
	errs, _ := checkValues(adpSpecs, v)
	body := patchBody(changedFields(adpSpecs[:len(adpSpecs)-1], old, v), v)
	if v["services"] != old["services"] {
		uris, serr, err := h.resolveServices(h.reads(c), v["services"])
		if err != nil {
			return h.adpFailed(c, st, err)
		}
		for k, m := range serr {
			errs[k] = append(errs[k], m...)
		}
		body["conference"] = uris
	}
	if len(errs) > 0 {
		st.errs, st.err = errs, "Correct the fields marked below; nothing was sent to Pexip."
		return h.adpForm(c, http.StatusUnprocessableEntity, st)
	}
	err = h.Pexip.Update(ctx, pexip.ResAutoParticipant, itoa(id), body)
	h.recordChange(c, "update", pexip.ResAutoParticipant, itoa(id), v["alias"], body, err)
	if err != nil {
		return h.adpFailed(c, st, err)
	}
	return c.Redirect(http.StatusSeeOther, "/adps/"+itoa(id)+"?saved=1")
}

// handleADPPreview shows the fields a save of the participant would change, its services
// included.
func (h *Handler) handleADPPreview(c echo.Context) error {
	id, err := adpID(c)
	if err != nil {
		return err
	}
	ctx := h.reads(c)
	obj, err := h.readObject(ctx, pexip.ResAutoParticipant, id)
	if err != nil {
		return h.adpReadFailed(c, id, err)
	}
	old := h.adpValues(ctx, obj)
	v := adpRequest(c, old)
	errs, _ := checkValues(adpSpecs, v)
	p := &views.FormPreview{Changes: fieldChanges(changedFields(adpSpecs, old, v), old, v)}
	if h.changedSince(c, old) {
		p.Note = "This participant changed in Pexip after you opened the form: the list compares with the current version."
	}
	return previewAnswer(c, "adp", adpSpecs, p, errs, func() error {
		return h.adpForm(c, http.StatusOK, adpFormState{id: id, values: v, errs: errs, preview: p, base: h.formBase(c, old)})
	})
}

// adpReadFailed is serviceReadFailed for an automatically dialled participant.
func (h *Handler) adpReadFailed(c echo.Context, id int, err error) error {
	status, msg, gone := editFailure(h, "participant", err)
	if isHTMX(c) {
		return render(c, status, views.PreviewFragment("adp", views.FormPreview{Error: msg}))
	}
	st := adpFormState{values: valuesFromRequest(c, adpSpecs, formValues{}), err: msg}
	if !gone {
		st.id, st.base = id, c.FormValue("_base")
	}
	return h.adpForm(c, status, st)
}

func (h *Handler) handleADPDeleteConfirm(c echo.Context) error {
	id, err := adpID(c)
	if err != nil {
		return err
	}
	ctx := h.reads(c)
	obj, err := h.readObject(ctx, pexip.ResAutoParticipant, id)
	if err != nil {
		return err
	}
	row := adpRowOf(obj, h.serviceNames(ctx, []map[string]any{obj}))
	return ok(c, views.DeleteADPPage(views.DeleteADPProps{Chrome: h.chrome(c, "services"), ID: id,
		Alias: row.Alias, Services: row.Services}))
}

func (h *Handler) handleADPDelete(c echo.Context) error {
	id, err := adpID(c)
	if err != nil {
		return err
	}
	if c.FormValue("id") != itoa(id) {
		return errUser(http.StatusBadRequest, "The confirmation does not match this participant; nothing was deleted.")
	}
	err = h.Pexip.Delete(c.Request().Context(), pexip.ResAutoParticipant, itoa(id))
	h.recordChange(c, "delete", pexip.ResAutoParticipant, itoa(id), "", nil, err)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/adps?deleted=1")
}

// serviceADPs is the panel of the service page: linked participants and those to link.
func (h *Handler) serviceADPs(ctx context.Context, serviceID int, ch views.Chrome) views.ServiceADPsProps {
	p := views.ServiceADPsProps{CSRF: ch.CSRF, ServiceID: serviceID, CanChange: ch.CanConfigure}
	q := url.Values{"order_by": {"alias"}, "limit": {"200"}}
	page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResAutoParticipant, q)
	if err != nil {
		_, _, p.Error = classify(err)
		return p
	}
	for _, a := range page.Objects {
		row := adpRowOf(a, nil)
		label := row.Alias
		if row.DisplayName != "" {
			label += " (" + row.DisplayName + ")"
		}
		if containsInt(linkedIDs(a), serviceID) {
			p.Linked = append(p.Linked, row)
		} else {
			p.Linkable = append(p.Linkable, views.Choice{Value: itoa(row.ID), Label: label})
		}
	}
	return p
}

func containsInt(list []int, v int) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// handleServiceLinkADP adds the service to an ADP's conference list (a PATCH of that list).
func (h *Handler) handleServiceLinkADP(c echo.Context) error {
	return h.changeADPLink(c, c.FormValue("adp"), true)
}

// handleServiceUnlinkADP removes the service from an ADP's conference list.
func (h *Handler) handleServiceUnlinkADP(c echo.Context) error {
	return h.changeADPLink(c, c.Param("adp"), false)
}

func (h *Handler) changeADPLink(c echo.Context, rawADP string, link bool) error {
	sid, err := serviceID(c)
	if err != nil {
		return err
	}
	aid, err := positiveID(rawADP, "participant")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	obj, err := h.readObject(ctx, pexip.ResAutoParticipant, aid)
	if err != nil {
		return err
	}
	uris := []any{}
	for _, id := range linkedIDs(obj) {
		if id != sid {
			uris = append(uris, serviceURI(id))
		}
	}
	if link {
		uris = append(uris, serviceURI(sid))
	}
	body := map[string]any{"conference": uris}
	err = h.Pexip.Update(ctx, pexip.ResAutoParticipant, itoa(aid), body)
	alias, _ := obj["alias"].(string)
	h.recordChange(c, map[bool]string{true: "link", false: "unlink"}[link], pexip.ResAutoParticipant, itoa(aid), alias, body, err)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, servicePath(sid)+"?saved=1")
}
