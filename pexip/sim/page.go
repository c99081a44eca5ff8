package sim

import (
	"net/url"
	"sort"
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
		if len(q.filters) == 0 {
			items = append([]T(nil), items...)
		}
		sort.SliceStable(items, func(i, j int) bool {
			return q.less(src, obj(items[i]), obj(items[j]))
		})
	}
	total = len(items)
	start := min(q.offset, total)
	end := total
	if q.limit > 0 {
		end = min(start+q.limit, total)
	}
	return items[start:end], total
}

func (q *query) matches(src source, o Object) bool {
	for i := range q.filters {
		if !q.filters[i].match(src, o) {
			return false
		}
	}
	return true
}

func (q *query) less(src source, a, b Object) bool {
	for _, k := range q.order {
		c := compareValues(k.f, src.value(a, k.f), src.value(b, k.f))
		if c == 0 {
			continue
		}
		if k.desc {
			return c > 0
		}
		return c < 0
	}
	return false
}

// meta builds Tastypie's meta block; next and previous are relative paths carrying the other
// query parameters, then limit and offset. With limit 0 they are left out altogether.
func (q *query) meta(path string, total int) map[string]any {
	m := map[string]any{"limit": q.limit, "offset": q.offset, "total_count": total}
	if q.limit == 0 {
		return m
	}
	m["next"], m["previous"] = nil, nil
	if q.offset+q.limit < total {
		m["next"] = q.link(path, q.offset+q.limit)
	}
	if q.offset-q.limit >= 0 {
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
