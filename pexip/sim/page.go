package sim

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// applyQuery filters, orders and slices items; total is the count after filtering. Without
// filters or ordering nothing is copied, so a page of 20 out of 10,000 costs a slice.
func applyQuery[T any](q *query, src source, items []T, obj func(T) Object) (page []T, total int) {
	if len(q.filters) > 0 {
		kept := make([]T, 0, len(items))
		for _, it := range items {
			if q.matches(src, obj(it)) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(q.order) > 0 {
		items = sortItems(q.order, src, items, obj)
	}
	total = len(items)
	start, end := pageBounds(q.offset, q.limit, total)
	return items[start:end], total
}

// pageBounds returns the slice bounds of a page; limit 0 means everything. The sums are
// never formed, so a limit or offset near the largest int cannot overflow.
func pageBounds(offset, limit, total int) (start, end int) {
	start = min(max(offset, 0), total)
	end = total
	if limit > 0 && limit < total-start {
		end = start + limit
	}
	return start, end
}

func (q *query) matches(src source, o Object) bool {
	for i := range q.filters {
		if !q.filters[i].match(src, o) {
			return false
		}
	}
	return true
}

// sortItems returns a stably ordered copy; each sort value is read once, not per comparison.
func sortItems[T any](order []orderKey, src source, items []T, obj func(T) Object) []T {
	type keyed struct {
		item T
		keys []any
	}
	ks := make([]keyed, len(items))
	for i, it := range items {
		o := obj(it)
		keys := make([]any, len(order))
		for j, k := range order {
			keys[j] = src.value(o, k.f)
		}
		ks[i] = keyed{it, keys}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		for j, k := range order {
			c := compareValues(k.f, a.keys[j], b.keys[j])
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	out := make([]T, len(ks))
	for i := range ks {
		out[i] = ks[i].item
	}
	return out
}

// meta builds Tastypie's meta block; next and previous are relative paths carrying the other
// query parameters, then limit and offset. With limit 0 they are left out altogether.
func (q *query) meta(path string, total int) map[string]any {
	m := map[string]any{"limit": q.limit, "offset": q.offset, "total_count": total}
	if q.limit == 0 {
		return m
	}
	m["next"], m["previous"] = nil, nil
	// Compared as differences: offset+limit may not fit in an int.
	if q.offset < total-q.limit {
		m["next"] = q.link(path, q.offset+q.limit)
	}
	if q.offset >= q.limit {
		m["previous"] = q.link(path, q.offset-q.limit)
	}
	return m
}

func (q *query) link(path string, offset int) string {
	var b strings.Builder
	b.WriteString(path)
	b.WriteByte('?')
	for _, p := range q.others {
		b.WriteString(url.QueryEscape(p.key))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
		b.WriteByte('&')
	}
	b.WriteString("limit=")
	b.WriteString(strconv.Itoa(q.limit))
	b.WriteString("&offset=")
	b.WriteString(strconv.Itoa(offset))
	return b.String()
}
