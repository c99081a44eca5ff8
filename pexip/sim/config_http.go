package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// routeConfig serves a configuration resource's list (segs empty) or one object (segs[0]).
func (s *Sim) routeConfig(w http.ResponseWriter, r *http.Request, res *resource, segs []string) {
	t := s.store.tables[res.name]
	switch {
	case len(segs) == 0:
		if !allows(res.list, r.Method) {
			methodNotAllowed(w, res.list)
			return
		}
		s.configList(w, r, t)
	case len(segs) == 1:
		if !allows(res.detail, r.Method) {
			methodNotAllowed(w, res.detail)
			return
		}
		s.configDetail(w, r, t, segs[0])
	default:
		notFound(w)
	}
}

func (s *Sim) configList(w http.ResponseWriter, r *http.Request, t *table) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.listConfig(w, r, t)
	case http.MethodPost:
		s.createConfig(w, r, t)
	case http.MethodPatch:
		s.bulkPatch(w, r, t)
	case http.MethodPut:
		s.putList(w, r, t)
	case http.MethodDelete:
		s.deleteList(w, r, t)
	}
}

// deleteList answers a DELETE on the list URI as Tastypie's delete_list does: it deletes
// the objects the query's filters select (every object without filters, as on a real node)
// with their cascades. Paging and ordering do not apply; a bad filter is the 400 a GET gives.
func (s *Sim) deleteList(w http.ResponseWriter, r *http.Request, t *table) {
	x := s.store.begin()
	q, err := parseQuery(filtersOnly(r.URL.RawQuery), t.res, x.s.resolveConfig, 0)
	if err != nil {
		x.end(nil)
		writeError(w, err)
		return
	}
	q.limit, q.offset = 0, 0
	doomed := t.recs
	if len(q.filters) > 0 {
		src := configSource{s: x.s, t: t, ix: x.s.indexes()}
		doomed, _ = applyQuery(q, src, t.recs, func(rec *record) Object { return rec.obj })
	}
	x.deleteRecords(t, append([]*record(nil), doomed...))
	x.end(nil)
	w.WriteHeader(http.StatusNoContent)
}

// filtersOnly drops the paging and ordering parameters of a raw query.
func filtersOnly(raw string) string {
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if k != "limit" && k != "offset" && k != "order_by" {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "&")
}

func (s *Sim) configDetail(w http.ResponseWriter, r *http.Request, t *table, key string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.getConfig(w, t, key)
	case http.MethodPatch, http.MethodPut:
		s.updateConfig(w, r, t, key, r.Method == http.MethodPut)
	case http.MethodDelete:
		s.deleteConfig(w, r, t, key)
	case http.MethodPost:
		if t.res.name == "licence_request" {
			s.completeLicenceRequest(w, r, key)
			return
		}
		w.WriteHeader(http.StatusNotImplemented)
	}
}

func (s *Sim) listConfig(w http.ResponseWriter, r *http.Request, t *table) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	q, err := parseQuery(r.URL.RawQuery, t.res, s.store.resolveConfig, s.opts.MaxLimit)
	if err != nil {
		writeError(w, err)
		return
	}
	ix := s.store.indexes()
	src := configSource{s: s.store, t: t, ix: ix}
	page, total := applyQuery(q, src, t.recs, func(rec *record) Object { return rec.obj })
	bodies := make([][]byte, len(page))
	for i, rec := range page {
		bodies[i] = s.store.viewJSON(t, rec, ix)
	}
	writeList(w, q.meta(r.URL.Path, total), bodies)
}

func (s *Sim) getConfig(w http.ResponseWriter, t *table, key string) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	rec := t.byKey[key]
	if rec == nil {
		notFound(w)
		return
	}
	if t.res.name == "system_backup" {
		s.downloadBackup(w, key)
		return
	}
	writeRaw(w, http.StatusOK, s.store.viewJSON(t, rec, s.store.indexes()))
}

func (s *Sim) createConfig(w http.ResponseWriter, r *http.Request, t *table) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	switch t.res.name {
	case "worker_vm":
		s.createWorkerVM(w, r, t, body)
		return
	case "licence":
		s.addLicence(w, r, body)
		return
	}
	x := s.store.begin()
	key, err := x.create(t, body, "")
	x.end(err)
	if err != nil {
		writeError(w, err)
		return
	}
	created(w, r, t.uri(key))
}

// created answers 201 with an absolute Location and an empty body.
func created(w http.ResponseWriter, r *http.Request, uri string) {
	w.Header().Set("Location", absolute(r, uri))
	w.WriteHeader(http.StatusCreated)
}

// absolute turns a path into the URL a real node puts in Location.
func absolute(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (s *Sim) updateConfig(w http.ResponseWriter, r *http.Request, t *table, key string, full bool) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	x := s.store.begin()
	rec := t.byKey[key]
	if rec == nil {
		// The guide: PATCH "updates an existing resource object, or creates the object if it
		// does not already exist". The new object gets the next id, never the one asked for.
		if _, err := strconv.Atoi(key); err != nil || t.keyField != "id" {
			x.end(nil)
			notFound(w)
			return
		}
		newKey, err := x.create(t, body, "")
		x.end(err)
		if err != nil {
			writeError(w, err)
			return
		}
		created(w, r, t.uri(newKey))
		return
	}
	err = x.update(t, rec, body, full)
	x.end(err)
	switch {
	case err != nil:
		writeError(w, err)
	case full:
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

func (s *Sim) deleteConfig(w http.ResponseWriter, r *http.Request, t *table, key string) {
	if t.res.name == "licence" && parseBool(r.URL.Query().Get("offline_mode")) {
		s.returnLicenceOffline(w, r, key)
		return
	}
	x := s.store.begin()
	rec := t.byKey[key]
	if rec != nil {
		x.deleteRecords(t, []*record{rec})
	}
	x.end(nil)
	if rec == nil {
		notFound(w)
		return
	}
	if t.res.name == "system_backup" {
		s.backups.delete(key)
	}
	w.WriteHeader(http.StatusNoContent)
}

// bulkPatch applies {"objects": [...], "deleted_objects": [...]} in one write: objects with
// a resource_uri of an existing object update it, the others are created.
func (s *Sim) bulkPatch(w http.ResponseWriter, r *http.Request, t *table) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	objects, okObj := body["objects"].([]any)
	deleted, okDel := body["deleted_objects"].([]any)
	if !okObj && !okDel {
		writeError(w, badf("Invalid data sent: a bulk PATCH needs 'objects' or 'deleted_objects'."))
		return
	}
	x := s.store.begin()
	err = x.bulk(t, objects, deleted)
	x.end(err)
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (x *tx) bulk(t *table, objects, deleted []any) error {
	for _, o := range objects {
		item, ok := o.(map[string]any)
		if !ok {
			return badf("Invalid data sent: every item of 'objects' must be an object.")
		}
		if rec := x.existing(t, map[string]any{"resource_uri": item["resource_uri"]}); rec != nil {
			if err := x.update(t, rec, item, false); err != nil {
				return err
			}
			continue
		}
		if _, err := x.create(t, item, ""); err != nil {
			return err
		}
	}
	for _, d := range deleted {
		tt, key, ok := x.s.uriKey(toString(d))
		if !ok || tt != t || t.byKey[key] == nil {
			return badf("Could not find the provided object via resource URI '%s'.", toString(d))
		}
		x.deleteRecords(t, []*record{t.byKey[key]})
	}
	return nil
}

// putList replaces the whole collection with the given objects.
func (s *Sim) putList(w http.ResponseWriter, r *http.Request, t *table) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	objects, _ := body["objects"].([]any)
	x := s.store.begin()
	x.deleteRecords(t, append([]*record(nil), t.recs...))
	err = x.bulk(t, objects, nil)
	x.end(err)
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readBody reads a JSON object (with or without a Content-Type, as the guide's Python sends
// it), a form-encoded body (values are strings) or a multipart form (files as []byte).
func readBody(r *http.Request) (map[string]any, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return nil, badf("Invalid data sent: %v", err)
		}
		return formMap(r.PostForm), nil
	case "multipart/form-data":
		if params["boundary"] == "" {
			return nil, badf("Invalid data sent: multipart body without a boundary.")
		}
		return readMultipart(r)
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, badf("Invalid data sent: %v", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{}, nil
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, badf("Invalid data sent: the body is not a JSON object.")
	}
	return body, nil
}

func formMap(v map[string][]string) map[string]any {
	out := make(map[string]any, len(v))
	for k, vals := range v {
		if len(vals) == 1 {
			out[k] = vals[0]
			continue
		}
		list := make([]any, len(vals))
		for i, s := range vals {
			list[i] = s
		}
		out[k] = list
	}
	return out
}

func readMultipart(r *http.Request) (map[string]any, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, badf("Invalid data sent: %v", err)
	}
	out := formMap(r.MultipartForm.Value)
	for name, files := range r.MultipartForm.File {
		f, err := files[0].Open()
		if err != nil {
			return nil, badf("Invalid data sent: %v", err)
		}
		data, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, badf("Invalid data sent: %v", err)
		}
		out[name] = data
	}
	// A client may send related lists as a JSON string inside the form (the Go SDK does).
	for k, v := range out {
		if str, ok := v.(string); ok && strings.HasPrefix(str, "[") {
			var list []any
			if json.Unmarshal([]byte(str), &list) == nil {
				out[k] = list
			}
		}
	}
	return out, nil
}

// writeList writes the Tastypie envelope around already encoded objects.
func writeList(w http.ResponseWriter, meta map[string]any, objects [][]byte) {
	var buf bytes.Buffer
	buf.Grow(64 + 512*len(objects))
	buf.WriteString(`{"meta":`)
	buf.Write(encode(meta))
	buf.WriteString(`,"objects":[`)
	for i, o := range objects {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(o)
	}
	buf.WriteString("]}")
	writeRaw(w, http.StatusOK, buf.Bytes())
}
