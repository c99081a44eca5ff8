package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

const servicesPageSize = 20

var serviceTypes = []string{pexip.ServiceVMR, pexip.ServiceAuditorium, pexip.ServiceReception, pexip.ServiceTestCall}

var layouts = []string{"one_main_zero_pips", "one_main_seven_pips", "one_main_twentyone_pips",
	"two_mains_twentyone_pips", "four_mains_zero_pips", "nine_mains_zero_pips",
	"sixteen_mains_zero_pips", "twentyfive_mains_zero_pips", "five_mains_seven_pips"}

// serviceSpecs are the fields of the service form, in the order the operator reads them.
// Choices come from the schema; the fallbacks are the v18 guide's values.
var serviceSpecs = []fieldSpec{
	{name: "name", label: "Name", maxLen: 250, section: "Service"},
	{name: "service_type", label: "Service type", kind: kSelect, fallback: append(serviceTypes[:4:4], "media_playback"), section: "Service"},
	{name: "description", label: "Description", maxLen: 250, section: "Service"},
	{name: "aliases", label: "Aliases", kind: kAliases, maxLen: 250, section: "Service",
		help: "One alias a line, as callers dial it (include the domain)."},
	{name: "tag", label: "Tag", maxLen: 250, section: "Service", help: "Shown in call history and usage reports."},
	{name: "primary_owner_email_address", label: "Owner e-mail", kind: kEmail, maxLen: 100, section: "Service"},
	{name: "pin", label: "Host PIN", kind: kPIN, section: "Access", help: "4 to 20 digits, optionally ending in #. Empty: no PIN."},
	{name: "allow_guests", label: "Allow guests", kind: kBool, section: "Access", types: "conference lecture"},
	{name: "guest_pin", label: "Guest PIN", kind: kPIN, section: "Access", types: "conference lecture",
		help: "Needs a host PIN, and must differ from it."},
	{name: "participant_limit", label: "Participant limit", kind: kInt, null: true, section: "Access",
		help: "Empty: no limit."},
	{name: "call_type", label: "Call type", kind: kSelect, fallback: []string{"video", "video-only", "audio"}, section: "Media"},
	{name: "max_callrate_in", label: "Maximum inbound call rate (kbps)", kind: kInt, null: true, section: "Media", help: "128 to 8192; empty: no limit."},
	{name: "max_callrate_out", label: "Maximum outbound call rate (kbps)", kind: kInt, null: true, section: "Media", help: "128 to 8192; empty: no limit."},
	{name: "host_view", label: "Host layout", kind: kSelect, fallback: layouts, section: "Media", types: "conference lecture"},
	{name: "guest_view", label: "Guest layout", kind: kSelect, null: true, fallback: layouts, section: "Media", types: "lecture"},
	{name: "enable_chat", label: "Chat", kind: kSelect, fallback: []string{"default", "yes", "no"}, section: "Media"},
	{name: "enable_overlay_text", label: "Show names as overlay text", kind: kBool, section: "Media"},
	{name: "guests_can_present", label: "Guests can present", kind: kBool, section: "Media", types: "conference lecture"},
	{name: "mute_all_guests", label: "Mute all guests on joining", kind: kBool, section: "Media", types: "conference lecture"},
	{name: "force_presenter_into_main", label: "Presenter in the main position", kind: kBool, section: "Media"},
	{name: "ivr_theme", label: "Theme", kind: kRelated, related: "configuration/v1/ivr_theme", section: "Routing"},
	{name: "system_location", label: "Location for outbound calls", kind: kRelated, related: "configuration/v1/system_location", section: "Routing"},
	{name: "match_string", label: "Match string (regular expression)", kind: kRegex, maxLen: 250, section: "Routing", types: "two_stage_dialing",
		help: "Virtual Reception: the part of the dialled number to look up."},
	{name: "replace_string", label: "Replace string", maxLen: 250, section: "Routing", types: "two_stage_dialing",
		help: "Virtual Reception: what the match becomes, \\1 for the first group."},
	{name: "sync_tag", label: "LDAP sync tag", kind: kReadonly, section: "Routing"},
}

// serviceRoutes are the configuration pages: read-only for every role, changes for admins.
func (h *Handler) serviceRoutes(s, adm *echo.Group) {
	s.GET("/services", h.handleServicesList)
	s.GET("/services/export.csv", h.handleServicesExport)
	adm.GET("/services/new", h.handleServiceNew)
	adm.GET("/services/import", h.handleImportForm)
	adm.POST("/services/import", h.handleImport) // bounded by maxBody; see maxImportBytes
	adm.POST("/services/delete", h.handleServicesBulkDelete)
	s.GET("/services/:id", h.handleServiceEdit)
	adm.POST("/services", h.handleServiceCreate)
	adm.POST("/services/:id", h.handleServiceUpdate)
	adm.POST("/services/:id/preview", h.handleServicePreview)
	adm.GET("/services/:id/delete", h.handleServiceDeleteConfirm)
	adm.POST("/services/:id/delete", h.handleServiceDelete)
	adm.POST("/services/:id/adps", h.handleServiceLinkADP)
	adm.POST("/services/:id/adps/:adp/unlink", h.handleServiceUnlinkADP)
	h.routingRoutes(s, adm)
	h.adpRoutes(s, adm)
}

// positiveID reads a numeric id of the URL; anything else is refused before Pexip is asked,
// so a blank id can never reach a collection root (field report F07).
func positiveID(raw, what string) (int, error) {
	id, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || id <= 0 {
		return 0, errUser(http.StatusBadRequest, "That is not a valid "+what+" id.")
	}
	return id, nil
}

func serviceID(c echo.Context) (int, error) { return positiveID(c.Param("id"), "service") }

// readObject reads one configuration object as the generic map the forms work on.
func (h *Handler) readObject(ctx context.Context, resource string, id int) (map[string]any, error) {
	obj := map[string]any{}
	if err := h.Pexip.GetObject(ctx, resource, itoa(id), &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// serviceFormState is everything a service form page is built from.
type serviceFormState struct {
	id      int
	values  formValues
	errs    formErrors
	general []string
	warns   map[string]string
	err     string
	saved   string
	preview *views.FormPreview
	base    string // fingerprint of the service the form was filled from
}

func (h *Handler) handleServiceNew(c echo.Context) error {
	v := formValues{"service_type": pexip.ServiceVMR, "call_type": "video", "host_view": "one_main_seven_pips",
		"enable_chat": "default", "guests_can_present": "true", "allow_guests": "false"}
	if t := c.QueryParam("type"); t != "" {
		v["service_type"] = t
	}
	return h.serviceForm(c, http.StatusOK, serviceFormState{values: v})
}

// serviceForm renders the create or edit page; an edit page shows the service's ADPs too.
func (h *Handler) serviceForm(c echo.Context, status int, st serviceFormState) error {
	ctx := h.reads(c)
	ch := h.chrome(c, "services")
	schema := h.schemaOrNil(ctx, pexip.ResService)
	related, failed := h.relatedChoices(c, serviceSpecs)
	warns, notice := degraded(schema, failed, st.warns)
	f := views.ConfigForm{Kind: "service", Title: "New service", Action: "/services", CancelURL: "/services",
		Fields: formFields(serviceSpecs, st.values, st.errs, warns, schema, related), Notice: notice,
		Error: st.err, Errors: st.general, ReadOnly: !ch.CanConfigure, Saved: st.saved, Preview: st.preview}
	if f.ReadOnly {
		hideSecrets(serviceSpecs, f.Fields)
	}
	var extra templ.Component
	if st.id != 0 {
		f.Title = "Service " + st.values["name"]
		f.Base = st.base
		f.Action = servicePath(st.id)
		f.PreviewURL = servicePath(st.id) + "/preview"
		f.DeleteURL = servicePath(st.id) + "/delete"
		extra = views.ServiceADPs(h.serviceADPs(ctx, st.id, ch))
	}
	return render(c, status, views.ConfigFormPage(views.ConfigFormProps{Chrome: ch, Nav: "services", Form: f}, extra))
}

func servicePath(id int) string { return "/services/" + itoa(id) }

func (h *Handler) handleServiceEdit(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResService, id)
	if err != nil {
		return err
	}
	st := serviceFormState{id: id, values: valuesFromObject(serviceSpecs, obj)}
	st.base = h.fingerprint(st.values)
	if c.QueryParam("saved") != "" {
		st.saved = "Saved."
	}
	return h.serviceForm(c, http.StatusOK, st)
}

func (h *Handler) handleServiceCreate(c echo.Context) error {
	v := valuesFromRequest(c, serviceSpecs, formValues{})
	if errs, warns := checkValues(serviceSpecs, v); len(errs) > 0 {
		return h.serviceForm(c, http.StatusUnprocessableEntity, serviceFormState{values: v, errs: errs, warns: warns,
			err: "Correct the fields marked below; nothing was sent to Pexip."})
	}
	body := createBody(serviceSpecs, v)
	aliases := []map[string]any{}
	for _, a := range aliasList(v["aliases"]) {
		aliases = append(aliases, map[string]any{"alias": a})
	}
	body["aliases"] = aliases
	id, err := h.Pexip.Create(c.Request().Context(), pexip.ResService, body)
	h.recordChange(c, "create", pexip.ResService, id, v["name"], body, err)
	if err != nil {
		return h.serviceFailed(c, serviceFormState{values: v}, err)
	}
	return c.Redirect(http.StatusSeeOther, "/services/"+url.PathEscape(id)+"?saved=1")
}

// serviceFailed shows the form again with what was typed and Pexip's errors beside the
// fields, or says why Pexip could not be asked.
func (h *Handler) serviceFailed(c echo.Context, st serviceFormState, err error) error {
	if st.id != 0 && errors.Is(err, pexip.ErrNotFound) {
		return h.serviceReadFailed(c, st.id, err)
	}
	status, msg, errs, general := formFailure(h, serviceSpecs, "service", err)
	st.errs, st.general, st.err = errs, general, msg
	return h.serviceForm(c, status, st)
}

// formFailure turns a failed write into a status, a message and field errors.
func formFailure(h *Handler, specs []fieldSpec, what string, err error) (int, string, formErrors, []string) {
	var ae *pexip.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		errs, general := errorsForFields(specs, ae.Fields)
		msg := "Pexip did not accept the " + what + ". Correct the fields marked below."
		if len(ae.Fields) == 0 {
			msg = "Pexip did not accept the " + what + ": " + ae.Message
		}
		return http.StatusUnprocessableEntity, msg, errs, general
	}
	h.log.Warn("save configuration", "what", what, "error", err)
	if errors.Is(err, pexip.ErrNoLocation) {
		return http.StatusBadGateway, "Pexip accepted the " + what + " but did not say where it is. " +
			"Look for it in the list before creating it again.", nil, nil
	}
	status, _, msg := classify(err)
	if status >= 500 {
		// A node may fail after the write took effect (F06): saving blindly again could
		// create a second copy.
		msg += " Pexip may have saved the change anyway: check before saving again."
	}
	return status, msg + " Nothing you typed is lost.", nil, nil
}

// serviceEdit reads the service and the form over it, and the fields that would change.
type serviceEdit struct {
	current map[string]any
	old     formValues
	new     formValues
	changed []fieldSpec
	add     []string
	remove  []map[string]any
	base    string // what the form was filled from
	moved   bool   // the service changed since then
}

func (h *Handler) prepareServiceEdit(c echo.Context, id int) (*serviceEdit, error) {
	obj, err := h.readObject(h.reads(c), pexip.ResService, id)
	if err != nil {
		return nil, err
	}
	e := &serviceEdit{current: obj, old: valuesFromObject(serviceSpecs, obj)}
	e.new = valuesFromRequest(c, serviceSpecs, e.old)
	e.changed = changedFields(serviceSpecs, e.old, e.new)
	e.add, e.remove = aliasChanges(obj["aliases"], aliasList(e.new["aliases"]))
	e.base, e.moved = h.formBase(c, e.old), h.changedSince(c, e.old)
	return e, nil
}

// editErrors are the console's checks of an edit. Aliases the edit leaves as they are raise
// nothing: the operator cannot act on them in this save.
func (e *serviceEdit) editErrors() (formErrors, map[string]string) {
	errs, warns := checkValues(serviceSpecs, e.new)
	if e.new["aliases"] == e.old["aliases"] {
		delete(errs, "aliases")
	}
	return errs, warns
}

// serviceReadFailed answers a save or preview that could not read (or write) the service:
// the form again with what was typed and why, never a bare error page. A service deleted
// meanwhile comes back as a create form, so the values can be saved anew or copied.
func (h *Handler) serviceReadFailed(c echo.Context, id int, err error) error {
	status, msg, gone := editFailure(h, "service", err)
	if isHTMX(c) {
		return render(c, status, views.PreviewFragment("service", views.FormPreview{Error: msg}))
	}
	st := serviceFormState{values: valuesFromRequest(c, serviceSpecs, formValues{}), err: msg}
	if !gone {
		st.id, st.base = id, c.FormValue("_base")
	}
	return h.serviceForm(c, status, st)
}

// editFailure explains an edit whose object could not be read or written: gone is true
// when Pexip no longer has it.
func editFailure(h *Handler, what string, err error) (status int, msg string, gone bool) {
	if errors.Is(err, pexip.ErrNotFound) {
		return http.StatusNotFound, "This " + what + " was deleted meanwhile (in Pexip, by someone else or in " +
			"another tab). Nothing was saved. What you typed is kept below: copy it, or save to create the " +
			what + " again.", true
	}
	h.log.Warn("edit configuration", "what", what, "error", err)
	status, _, msg = classify(err)
	return status, msg + " Nothing was saved; what you typed is kept below.", false
}

// aliasChanges compares a service's nested aliases with the wanted list.
func aliasChanges(nested any, want []string) (add []string, remove []map[string]any) {
	have := map[string]bool{}
	list, _ := nested.([]any)
	wanted := map[string]bool{}
	for _, a := range want {
		wanted[a] = true
	}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["alias"].(string)
		have[name] = true
		if !wanted[name] {
			remove = append(remove, m)
		}
	}
	for _, a := range want {
		if !have[a] {
			add = append(add, a)
		}
	}
	return add, remove
}

// previewOf lists the changes of e as the preview shows them.
func previewOf(e *serviceEdit) *views.FormPreview {
	p := &views.FormPreview{Changes: fieldChanges(e.changed, e.old, e.new)}
	if len(e.add) > 0 || len(e.remove) > 0 {
		var removed []string
		for _, m := range e.remove {
			a, _ := m["alias"].(string)
			removed = append(removed, a)
		}
		p.Changes = append(p.Changes, views.Change{Field: "aliases", Label: "Aliases",
			Old: "removes: " + dashJoin(removed), New: "adds: " + dashJoin(e.add)})
	}
	return p
}

// fieldChanges lists changed fields as a preview shows them, old and new.
func fieldChanges(changed []fieldSpec, old, new formValues) []views.Change {
	out := []views.Change{}
	for _, s := range changed {
		out = append(out, views.Change{Field: s.name, Label: s.label,
			Old: displayValue(s, old[s.name]), New: displayValue(s, new[s.name])})
	}
	return out
}

// previewAnswer renders a preview: the fragment alone for htmx (with the field errors in
// it, since htmx replaces only the preview area), else the whole form page.
func previewAnswer(c echo.Context, kind string, specs []fieldSpec, p *views.FormPreview, errs formErrors,
	page func() error) error {
	status := http.StatusOK
	if len(errs) > 0 {
		*p = views.FormPreview{Error: "Correct these fields first; nothing was sent to Pexip."}
		for _, s := range specs {
			for _, e := range errs[s.name] {
				p.Problems = append(p.Problems, views.Change{Field: s.name, Label: s.label, New: e})
			}
		}
		status = http.StatusUnprocessableEntity
	}
	if isHTMX(c) {
		return render(c, status, views.PreviewFragment(kind, *p))
	}
	return page()
}

func dashJoin(list []string) string {
	if len(list) == 0 {
		return "–"
	}
	return strings.Join(list, ", ")
}

func (h *Handler) handleServicePreview(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	e, err := h.prepareServiceEdit(c, id)
	if err != nil {
		return h.serviceReadFailed(c, id, err)
	}
	errs, warns := e.editErrors()
	p := previewOf(e)
	if e.moved {
		p.Note = "This service changed in Pexip after you opened the form: the list compares with the current version."
	}
	return previewAnswer(c, "service", serviceSpecs, p, errs, func() error {
		return h.serviceForm(c, http.StatusOK, serviceFormState{id: id, values: e.new, errs: errs, warns: warns,
			preview: p, base: e.base})
	})
}

func (h *Handler) handleServiceUpdate(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	e, err := h.prepareServiceEdit(c, id)
	if err != nil {
		return h.serviceReadFailed(c, id, err)
	}
	st := serviceFormState{id: id, values: e.new, base: e.base}
	if e.moved {
		st.err, st.preview, st.base = conflictMessage, previewOf(e), h.fingerprint(e.old)
		return h.serviceForm(c, http.StatusConflict, st)
	}
	if errs, warns := e.editErrors(); len(errs) > 0 {
		st.errs, st.warns, st.err = errs, warns, "Correct the fields marked below; nothing was sent to Pexip."
		return h.serviceForm(c, http.StatusUnprocessableEntity, st)
	}
	ctx := c.Request().Context()
	if len(e.changed) > 0 {
		body := patchBody(e.changed, e.new)
		err = h.Pexip.Update(ctx, pexip.ResService, itoa(id), body)
		h.recordChange(c, "update", pexip.ResService, itoa(id), e.new["name"], body, err)
		if err != nil {
			return h.serviceFailed(c, st, err)
		}
	}
	if err := h.syncAliases(c, id, e); err != nil {
		status, msg, errs, general := formFailure(h, serviceSpecs, "alias", err)
		if len(e.changed) > 0 {
			msg = "The service's other changes were saved; its aliases were not all changed. " + msg
		}
		// Our own PATCH changed the service: the next save must not call that a conflict.
		st.errs, st.general, st.err, st.base = errs, general, msg, ""
		return h.serviceForm(c, status, st)
	}
	return c.Redirect(http.StatusSeeOther, servicePath(id)+"?saved=1")
}

// syncAliases creates and deletes alias objects so the service has exactly the aliases
// typed, in one bulk PATCH of conference_alias (new aliases as objects, removed ones as
// deleted_objects), however many change.
func (h *Handler) syncAliases(c echo.Context, id int, e *serviceEdit) error {
	uri, _ := e.current["resource_uri"].(string)
	if uri == "" {
		uri = serviceURI(id)
	}
	objects := make([]map[string]any, 0, len(e.add))
	for _, a := range e.add {
		objects = append(objects, map[string]any{"alias": a, "conference": uri})
	}
	var deleted, names []string
	for _, m := range e.remove {
		aid := textOf(fieldSpec{}, m["id"])
		if _, err := positiveID(aid, "alias"); err != nil {
			h.log.Warn("alias without id left in place", "resource", pexip.ResAlias)
			continue
		}
		name, _ := m["alias"].(string)
		deleted, names = append(deleted, aid), append(names, name)
	}
	if len(objects)+len(deleted) == 0 {
		return nil
	}
	err := h.Pexip.BulkPatch(c.Request().Context(), pexip.ResAlias, objects, deleted)
	for _, o := range objects {
		h.recordChange(c, "create", pexip.ResAlias, "", o["alias"].(string), o, err)
	}
	for i, aid := range deleted {
		h.recordChange(c, "delete", pexip.ResAlias, aid, names[i], nil, err)
	}
	return err
}

func (h *Handler) handleServiceDeleteConfirm(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	obj, err := h.readObject(h.reads(c), pexip.ResService, id)
	if err != nil {
		return err
	}
	name, _ := obj["name"].(string)
	return ok(c, views.DeleteServicePage(views.DeleteServiceProps{
		Chrome: h.chrome(c, "services"), ID: id, Name: name, Aliases: aliasNames(obj["aliases"])}))
}

func (h *Handler) handleServiceDelete(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	if c.FormValue("id") != itoa(id) {
		return errUser(http.StatusBadRequest, "The confirmation does not match this service; nothing was deleted.")
	}
	err = h.Pexip.Delete(c.Request().Context(), pexip.ResService, itoa(id))
	h.recordChange(c, "delete", pexip.ResService, itoa(id), "", nil, err)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/services?deleted=1")
}

// handleServicesBulkDelete shows the selected services for confirmation and, once
// confirmed, deletes them all in one bulk PATCH.
func (h *Handler) handleServicesBulkDelete(c echo.Context) error {
	form, _ := c.FormParams()
	ids, err := selectedIDs(form["id"])
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	objs, err := h.servicesByID(h.reads(c), ids)
	if err != nil {
		return err
	}
	props := views.BulkDeleteProps{Chrome: h.chrome(c, "services"), Missing: len(ids) - len(objs)}
	var found []string
	for _, obj := range objs {
		r := serviceRowOf(obj, nil, nil)
		props.Rows = append(props.Rows, r)
		found = append(found, itoa(r.ID))
	}
	if c.FormValue("confirm") != "yes" || len(found) == 0 {
		return ok(c, views.BulkDeletePage(props))
	}
	err = h.Pexip.BulkPatch(ctx, pexip.ResService, nil, found)
	for _, r := range props.Rows {
		h.recordChange(c, "delete", pexip.ResService, itoa(r.ID), r.Name, nil, err)
	}
	if err != nil {
		_, _, msg := classify(err)
		props.Error = "Nothing was deleted: " + msg
		return render(c, http.StatusBadGateway, views.BulkDeletePage(props))
	}
	return c.Redirect(http.StatusSeeOther, "/services?deleted="+itoa(len(found)))
}

// servicesByID reads the services with the given ids, leaving out those Pexip no longer has:
// one id__in list call where the schema allows filtering by id, else one read per id (a
// real node's conference schema does not list id under filtering).
func (h *Handler) servicesByID(ctx context.Context, ids []int) ([]map[string]any, error) {
	if s := h.schemaOrNil(ctx, pexip.ResService); s != nil && filterable(s, "id") {
		q := url.Values{"id__in": {joinInts(ids)}, "limit": {itoa(len(ids))}, "order_by": {"name"}}
		page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, pexip.ResService, q)
		return page.Objects, err
	}
	var out []map[string]any
	for _, id := range ids {
		obj, err := h.readObject(ctx, pexip.ResService, id)
		if errors.Is(err, pexip.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	sortObjects(out, "name")
	return out, nil
}

// selectedIDs validates the ids of a selection: every one a positive integer, at most 200.
func selectedIDs(raw []string) ([]int, error) {
	if len(raw) == 0 {
		return nil, errUser(http.StatusBadRequest, "Select at least one service first.")
	}
	if len(raw) > 200 {
		return nil, errUser(http.StatusBadRequest, "Select at most 200 services at a time.")
	}
	seen := map[int]bool{}
	var ids []int
	for _, r := range raw {
		id, err := positiveID(r, "service")
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	sort.Ints(ids)
	return ids, nil
}

func joinInts(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = itoa(id)
	}
	return strings.Join(parts, ",")
}
