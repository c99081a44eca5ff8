package sim

import (
	"net/http"
)

// routeLive serves a status or history resource from the platform model: the list (segs
// empty), one object (segs[0]) or a sub-resource (segs[0], segs[1]).
func (s *Sim) routeLive(w http.ResponseWriter, r *http.Request, res *resource, segs []string) {
	switch len(segs) {
	case 0:
		if !allows(res.list, r.Method) {
			methodNotAllowed(w, res.list)
			return
		}
		objs, _ := s.liveList(res)
		s.writeLiveList(w, r, res, objs)
	case 1:
		if !allows(res.detail, r.Method) {
			methodNotAllowed(w, res.detail)
			return
		}
		s.liveDetail(w, r, res, segs[0])
	case 2:
		sub := s.cat.subs[res.api+"/"+res.name+"/"+segs[1]]
		if sub == nil {
			notFound(w)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, methodsGet)
			return
		}
		s.liveSub(w, r, res, sub, segs[0], segs[1])
	case 3:
		if s.cat.subs[res.api+"/"+res.name+"/"+segs[1]] == nil {
			notFound(w)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, methodsGet)
			return
		}
		s.liveSubDetail(w, res, segs[0], segs[1], segs[2])
	default:
		notFound(w)
	}
}

// liveSubDetail serves one object of a sub-resource list, such as a status participant's
// media stream at participant/<id>/media_stream/<n>/ (the stream's own resource_uri).
func (s *Sim) liveSubDetail(w http.ResponseWriter, res *resource, id, name, key string) {
	var list []Object
	if res.api == "history" {
		list, _ = s.platform.HistorySub(res.name, id, name)
	} else if v, ok := s.platform.StatusSub(res.name, id, name); ok {
		list, _ = v.([]Object)
	}
	for _, o := range list {
		if toString(o["id"]) == key {
			writeJSON(w, http.StatusOK, o)
			return
		}
	}
	notFound(w)
}

func (s *Sim) liveList(res *resource) ([]Object, bool) {
	if res.api == "status" {
		return s.platform.Status(res.name)
	}
	return s.platform.History(res.name)
}

func (s *Sim) liveDetail(w http.ResponseWriter, r *http.Request, res *resource, id string) {
	if r.Method == http.MethodDelete {
		if !s.platform.DeleteHistory(res.name, id) {
			notFound(w)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var obj Object
	var ok bool
	if res.api == "status" {
		obj, ok = s.platform.StatusDetail(res.name, id)
	} else {
		obj, ok = s.historyDetail(res.name, id)
	}
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// historyDetail finds one history object; the contract gives history lists only.
func (s *Sim) historyDetail(resource, id string) (Object, bool) {
	objs, _ := s.platform.History(resource)
	for _, o := range objs {
		if toString(o["id"]) == id {
			return o, true
		}
	}
	return nil, false
}

func (s *Sim) liveSub(w http.ResponseWriter, r *http.Request, res, sub *resource, id, name string) {
	if res.api == "history" {
		objs, ok := s.platform.HistorySub(res.name, id, name)
		if !ok {
			notFound(w)
			return
		}
		s.writeLiveList(w, r, sub, objs)
		return
	}
	v, ok := s.platform.StatusSub(res.name, id, name)
	if !ok {
		notFound(w)
		return
	}
	switch t := v.(type) {
	case []Object:
		s.writeLiveList(w, r, sub, t)
	default:
		writeJSON(w, http.StatusOK, t)
	}
}

// writeLiveList pages platform objects through the same list engine as configuration.
func (s *Sim) writeLiveList(w http.ResponseWriter, r *http.Request, res *resource, objs []Object) {
	q, err := parseQuery(r.URL.RawQuery, res, s.resolveLive, s.opts.MaxLimit)
	if err != nil {
		writeError(w, err)
		return
	}
	page, total := applyQuery(q, plainSource{}, objs, func(o Object) Object { return o })
	bodies := make([][]byte, len(page))
	for i, o := range page {
		bodies[i] = encode(o)
	}
	writeList(w, q.meta(r.URL.Path, total), bodies)
}

// resolveLive finds the schema a status or history relation points at (history participant
// media_streams -> history media_stream).
func (s *Sim) resolveLive(res *resource, f *field) *resource {
	return s.cat.lookup(res.api, f.target)
}
