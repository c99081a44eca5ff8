package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

const servicesPageSize = 20

var serviceTypes = []string{pexip.ServiceVMR, pexip.ServiceAuditorium, pexip.ServiceReception, pexip.ServiceTestCall}

// handleServicesList lists services a page at a time, filtered by the API (never all loaded).
func (h *Handler) handleServicesList(c echo.Context) error {
	query := strings.TrimSpace(c.QueryParam("q"))
	typ := c.QueryParam("type")
	offset, _ := strconv.Atoi(c.QueryParam("offset"))
	offset = max(offset, 0)

	q := url.Values{"limit": {itoa(servicesPageSize)}, "offset": {itoa(offset)}, "order_by": {"name"}}
	if query != "" {
		q.Set("name__icontains", query)
	}
	if typ != "" {
		q.Set("service_type", typ)
	}
	props := views.ServicesProps{Chrome: h.chrome(c, "services"), Query: query, Type: typ, Offset: offset, Limit: servicesPageSize}
	page, err := h.Pexip.Services(c.Request().Context(), q)
	if err != nil {
		_, _, msg := classify(err)
		h.log.Warn("list services", "error", err)
		props.Error = msg
		return render(c, http.StatusBadGateway, views.ServicesPage(props))
	}
	props.Total = page.Meta.TotalCount
	for _, s := range page.Objects {
		props.Rows = append(props.Rows, serviceRow(s))
	}
	return ok(c, views.ServicesPage(props))
}

func serviceRow(s pexip.Service) views.ServiceRow {
	r := views.ServiceRow{ID: s.ID, Name: s.Name, ServiceType: s.ServiceType, Description: s.Description,
		Tag: s.Tag, PINs: s.PIN != "" || s.GuestPIN != "", AllowGuests: s.AllowGuests}
	for _, a := range s.Aliases {
		r.Aliases = append(r.Aliases, a.Alias)
	}
	return r
}

func (h *Handler) handleServiceNew(c echo.Context) error {
	return h.serviceForm(c, http.StatusOK, views.ServiceForm{ServiceType: pexip.ServiceVMR})
}

func (h *Handler) serviceForm(c echo.Context, status int, f views.ServiceForm) error {
	return render(c, status, views.ServiceFormPage(views.ServiceFormProps{
		Chrome: h.chrome(c, "services"), Form: f, Types: serviceTypes}))
}

// serviceID reads the numeric id of the URL; anything else is refused before Pexip is asked,
// so a blank id can never reach the collection root (field report F07).
func serviceID(c echo.Context) (int, error) {
	id, err := strconv.Atoi(strings.TrimSpace(c.Param("id")))
	if err != nil || id <= 0 {
		return 0, errUser(http.StatusBadRequest, "That is not a valid service id.")
	}
	return id, nil
}

func (h *Handler) handleServiceEdit(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	s, err := h.Pexip.Service(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.serviceForm(c, http.StatusOK, formFromService(s))
}

func formFromService(s pexip.Service) views.ServiceForm {
	aliases := make([]string, 0, len(s.Aliases))
	for _, a := range s.Aliases {
		aliases = append(aliases, a.Alias)
	}
	return views.ServiceForm{ID: s.ID, Name: s.Name, ServiceType: s.ServiceType, Description: s.Description,
		Aliases: strings.Join(aliases, "\n"), PIN: s.PIN, GuestPIN: s.GuestPIN, AllowGuests: s.AllowGuests, Tag: s.Tag}
}

// readServiceForm takes the form as typed; nothing is trimmed away that Pexip should judge.
func readServiceForm(c echo.Context) views.ServiceForm {
	return views.ServiceForm{
		Name:        strings.TrimSpace(c.FormValue("name")),
		ServiceType: c.FormValue("service_type"),
		Description: c.FormValue("description"),
		Aliases:     c.FormValue("aliases"),
		PIN:         strings.TrimSpace(c.FormValue("pin")),
		GuestPIN:    strings.TrimSpace(c.FormValue("guest_pin")),
		AllowGuests: c.FormValue("allow_guests") == "true",
		Tag:         c.FormValue("tag"),
	}
}

func aliasList(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if a := strings.TrimSpace(line); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func serviceFields(f views.ServiceForm) map[string]any {
	return map[string]any{
		"name": f.Name, "service_type": f.ServiceType, "description": f.Description,
		"pin": f.PIN, "guest_pin": f.GuestPIN, "allow_guests": f.AllowGuests, "tag": f.Tag,
	}
}

func (h *Handler) handleServiceCreate(c echo.Context) error {
	f := readServiceForm(c)
	body := serviceFields(f)
	aliases := []map[string]any{}
	for _, a := range aliasList(f.Aliases) {
		aliases = append(aliases, map[string]any{"alias": a})
	}
	body["aliases"] = aliases
	id, err := h.Pexip.Create(c.Request().Context(), pexip.ResService, body)
	h.recordChange(c, "create", pexip.ResService, id, f.Name, body, err)
	if err != nil {
		return h.formFailed(c, f, err)
	}
	return c.Redirect(http.StatusSeeOther, "/services/"+url.PathEscape(id)+"?saved=1")
}

// formFailed shows the form again with what was typed and Pexip's errors beside the fields.
func (h *Handler) formFailed(c echo.Context, f views.ServiceForm, err error) error {
	var ae *pexip.APIError
	if errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		f.Errors = ae.Fields
		f.Error = "Pexip did not accept the service. Correct the fields marked below."
		if len(ae.Fields) == 0 {
			f.Error = "Pexip did not accept the service: " + firstNonEmpty(ae.Message)
		}
		return h.serviceForm(c, http.StatusUnprocessableEntity, f)
	}
	status, _, msg := classify(err)
	h.log.Warn("save service", "error", err)
	f.Error = msg + " Nothing you typed is lost; save again when Pexip answers."
	return h.serviceForm(c, status, f)
}

func (h *Handler) handleServiceUpdate(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	f := readServiceForm(c)
	f.ID = id
	ctx := c.Request().Context()
	current, err := h.Pexip.Service(ctx, id)
	if err != nil {
		return h.formFailed(c, f, err)
	}
	changes := changedFields(formFromService(current), f)
	if len(changes) > 0 {
		err = h.Pexip.Update(ctx, pexip.ResService, itoa(id), changes)
		h.recordChange(c, "update", pexip.ResService, itoa(id), f.Name, changes, err)
		if err != nil {
			return h.formFailed(c, f, err)
		}
	}
	if err := h.syncAliases(c, current, aliasList(f.Aliases)); err != nil {
		return h.formFailed(c, f, err)
	}
	return c.Redirect(http.StatusSeeOther, "/services/"+itoa(id)+"?saved=1")
}

// changedFields is exactly the fields that differ, false and empty values included (F04).
func changedFields(old, f views.ServiceForm) map[string]any {
	before, after := serviceFields(old), serviceFields(f)
	out := map[string]any{}
	for k, v := range after {
		if before[k] != v {
			out[k] = v
		}
	}
	return out
}

// syncAliases adds and removes alias objects so the service has exactly want.
func (h *Handler) syncAliases(c echo.Context, s pexip.Service, want []string) error {
	ctx := c.Request().Context()
	have := map[string]pexip.Alias{}
	for _, a := range s.Aliases {
		have[a.Alias] = a
	}
	wanted := map[string]bool{}
	for _, a := range want {
		wanted[a] = true
		if _, ok := have[a]; ok {
			continue
		}
		body := map[string]any{"alias": a, "conference": s.ResourceURI}
		id, err := h.Pexip.Create(ctx, pexip.ResAlias, body)
		h.recordChange(c, "create", pexip.ResAlias, id, a, body, err)
		if err != nil {
			return err
		}
	}
	for alias, a := range have {
		if wanted[alias] || a.ID <= 0 {
			continue
		}
		err := h.Pexip.Delete(ctx, pexip.ResAlias, itoa(a.ID))
		h.recordChange(c, "delete", pexip.ResAlias, itoa(a.ID), alias, nil, err)
		if err != nil && !errors.Is(err, pexip.ErrNotFound) {
			return err
		}
	}
	return nil
}

func (h *Handler) handleServiceDeleteConfirm(c echo.Context) error {
	id, err := serviceID(c)
	if err != nil {
		return err
	}
	s, err := h.Pexip.Service(c.Request().Context(), id)
	if err != nil {
		return err
	}
	row := serviceRow(s)
	return ok(c, views.DeleteServicePage(views.DeleteServiceProps{
		Chrome: h.chrome(c, "services"), ID: id, Name: s.Name, Aliases: row.Aliases}))
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
