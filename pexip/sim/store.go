package sim

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"pexops/pexip/sim/platform"
)

// Object is one object in wire form.
type Object = platform.Object

// record is one stored configuration object. obj holds the write form (relations as URIs,
// write-only values included); views are built from it and cached per store generation.
type record struct {
	key     string
	obj     Object
	deleted bool
	view    atomic.Pointer[cachedView]
}

type cachedView struct {
	gen  uint64
	body []byte
}

// table holds the objects of one configuration resource in key order.
type table struct {
	res      *resource
	recs     []*record
	byKey    map[string]*record
	next     int                          // next integer id; ids are never reused
	uniq     map[string]map[string]string // unique field -> value -> key
	keyField string                       // "id", or the field keying the resource
	dirty    bool                         // recs holds deleted records
}

// store is the in-memory configuration database. Writes hold mu for writing for a whole
// request; every committed write bumps gen, which invalidates cached views and indexes.
//
// NOTE: the indexes are rebuilt whole, lazily, on the first read after a write: about 25 ms
// at 10,000 services (BenchmarkListAfterWrite), nothing at demo sizes. Reads between writes
// cost a slice and cached JSON.
type store struct {
	mu     sync.RWMutex
	cat    *catalog
	tables map[string]*table
	clock  platform.Clock
	gen    atomic.Uint64

	idxMu sync.Mutex
	idx   atomic.Pointer[indexes]
	dir   atomic.Pointer[dirIndex]
}

func newStore(cat *catalog, clock platform.Clock) *store {
	s := &store{cat: cat, tables: map[string]*table{}, clock: clock}
	for name, res := range cat.apis["configuration"] {
		t := &table{res: res, byKey: map[string]*record{}, next: 1,
			uniq: map[string]map[string]string{}, keyField: "id"}
		switch name {
		case "licence":
			t.keyField = "fulfillment_id"
		case "licence_request":
			t.keyField = "sequence_number"
		case "system_backup":
			t.keyField = "filename"
		}
		for _, f := range res.fields {
			if f.unique && f.name != "id" {
				t.uniq[f.name] = map[string]string{}
			}
		}
		s.tables[name] = t
	}
	return s
}

func (t *table) uri(key string) string { return t.res.path() + key + "/" }

// exists reports whether the configuration table holds an object under key.
func (s *store) exists(table, key string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.tables[table]
	return t != nil && key != "" && t.byKey[key] != nil
}

// compact drops deleted records from recs.
func (t *table) compact() {
	if !t.dirty {
		return
	}
	kept := t.recs[:0]
	for _, r := range t.recs {
		if !r.deleted {
			kept = append(kept, r)
		}
	}
	for i := len(kept); i < len(t.recs); i++ {
		t.recs[i] = nil
	}
	t.recs, t.dirty = kept, false
}

// tx is one write: mutations apply at once and are undone in reverse if the write fails.
type tx struct {
	s       *store
	undo    []func()
	changed bool
}

func (s *store) begin() *tx {
	s.mu.Lock()
	return &tx{s: s}
}

// end commits (err == nil) or rolls back, then releases the lock.
func (x *tx) end(err error) {
	if err != nil {
		for i := len(x.undo) - 1; i >= 0; i-- {
			x.undo[i]()
		}
	}
	for _, t := range x.s.tables {
		t.compact()
	}
	if x.changed {
		x.s.gen.Add(1)
	}
	x.s.mu.Unlock()
}

func (x *tx) insert(t *table, rec *record) {
	x.changed = true
	if i := len(t.recs); i > 0 && keyLess(rec.key, t.recs[i-1].key) {
		pos := sort.Search(len(t.recs), func(j int) bool { return keyLess(rec.key, t.recs[j].key) })
		t.recs = append(t.recs, nil)
		copy(t.recs[pos+1:], t.recs[pos:])
		t.recs[pos] = rec
	} else {
		t.recs = append(t.recs, rec)
	}
	t.byKey[rec.key] = rec
	t.index(rec.key, rec.obj, nil)
	x.undo = append(x.undo, func() {
		rec.deleted, t.dirty = true, true
		delete(t.byKey, rec.key)
		t.index(rec.key, nil, rec.obj)
	})
}

func (x *tx) replace(t *table, rec *record, obj Object) {
	x.changed = true
	old := rec.obj
	t.index(rec.key, obj, old)
	rec.obj = obj
	x.undo = append(x.undo, func() {
		t.index(rec.key, old, obj)
		rec.obj = old
	})
}

func (x *tx) remove(t *table, rec *record) {
	if rec.deleted {
		return
	}
	x.changed = true
	rec.deleted, t.dirty = true, true
	delete(t.byKey, rec.key)
	t.index(rec.key, nil, rec.obj)
	x.undo = append(x.undo, func() {
		rec.deleted = false
		t.byKey[rec.key] = rec
		t.index(rec.key, rec.obj, nil)
	})
}

// index moves the unique values of key from old to now.
func (t *table) index(key string, now, old Object) {
	for name, m := range t.uniq {
		if old != nil {
			if v := toString(old[name]); v != "" && m[v] == key {
				delete(m, v)
			}
		}
		if now != nil {
			if v := toString(now[name]); v != "" {
				m[v] = key
			}
		}
	}
}

// keyLess orders integer keys numerically and other keys as strings.
func keyLess(a, b string) bool {
	x, errA := strconv.Atoi(a)
	y, errB := strconv.Atoi(b)
	if errA == nil && errB == nil {
		return x < y
	}
	return a < b
}

// uriKey returns the table and key a configuration URI (absolute or relative) names.
func (s *store) uriKey(uri string) (*table, string, bool) {
	if i := strings.Index(uri, "/api/admin/configuration/v1/"); i >= 0 {
		uri = uri[i+len("/api/admin/configuration/v1/"):]
	} else {
		return nil, "", false
	}
	name, key, _ := strings.Cut(strings.Trim(uri, "/"), "/")
	t := s.tables[name]
	if t == nil || key == "" || strings.Contains(key, "/") {
		return nil, "", false
	}
	return t, key, true
}

// indexes are lookups derived from the whole store, rebuilt lazily after a write.
type indexes struct {
	gen     uint64
	reverse map[string]map[string][]*record // "<resource>.<field>" -> target key -> records
	aliases map[string]string               // lower-case alias -> conference key
}

// dirIndex is the platform's view of the services, built only when the platform asks.
type dirIndex struct {
	gen     uint64
	svc     []platform.Service
	svcByID map[string]int
}

// indexes returns the indexes of the current generation (callers hold mu for reading).
func (s *store) indexes() *indexes {
	gen := s.gen.Load()
	if ix := s.idx.Load(); ix != nil && ix.gen == gen {
		return ix
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if ix := s.idx.Load(); ix != nil && ix.gen == gen {
		return ix
	}
	ix := &indexes{gen: gen, reverse: map[string]map[string][]*record{}, aliases: map[string]string{}}
	for _, t := range s.tables {
		for _, f := range t.res.fields {
			if f.reverse != "" {
				ix.reverse[f.reverse] = s.reverseIndex(f.reverse)
			}
		}
	}
	for _, a := range s.tables["conference_alias"].recs {
		ix.aliases[strings.ToLower(toString(a.obj["alias"]))] = firstID(a.obj["conference"])
	}
	s.idx.Store(ix)
	return ix
}

// directoryIndex returns the services of the current generation (callers hold mu for
// reading).
func (s *store) directoryIndex() *dirIndex {
	ix := s.indexes()
	if d := s.dir.Load(); d != nil && d.gen == ix.gen {
		return d
	}
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if d := s.dir.Load(); d != nil && d.gen == ix.gen {
		return d
	}
	d := s.buildServices(ix)
	s.dir.Store(d)
	return d
}

func (s *store) reverseIndex(spec string) map[string][]*record {
	resName, fieldName, _ := strings.Cut(spec, ".")
	out := map[string][]*record{}
	for _, rec := range s.tables[resName].recs {
		for _, id := range relatedIDs(rec.obj[fieldName]) {
			out[id] = append(out[id], rec)
		}
	}
	return out
}

// firstID returns the first id a related value points at, or "".
func firstID(v any) string {
	ids := relatedIDs(v)
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}
