package live

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"pexops/pexip"
)

// maxPageReads bounds one list read on a node whose pages never end.
const maxPageReads = 1000

// errPageGap means objects moved across a page boundary by more than the overlap while a list
// was read, so some may have been missed.
var errPageGap = errors.New("list changed while it was read")

// listPage reads one page, counting it as in flight for the metrics.
func listPage[T any](ctx context.Context, p *Poller, resource string, q url.Values) (pexip.Page[T], error) {
	p.m.requestStarted()
	defer p.m.requestDone()
	return pexip.ListPage[T](ctx, p.c, resource, q)
}

// readList reads every object of resource matching q, one page after another, and returns
// them by id.
//
// Pages overlap: each starts overlap objects before the previous one ended. When objects
// before a page boundary go away between two page reads, the rest of the list slides towards
// the start; as long as it slides by less than the overlap, every object still lands on a
// page, and objects read twice collapse into one entry (the later read wins). The first
// object of a page having not been seen on the page before is the proof that the list slid
// further, and then the whole list is read again (at most three times; after that the last
// read is used and the next poll fills any gap). Field report F02.
func readList[T any](ctx context.Context, p *Poller, resource string, q url.Values,
	id func(T) string) (map[string]T, error) {
	var got map[string]T
	var err error
	for range 3 {
		got, err = readListOnce(ctx, p, resource, q, id)
		if !errors.Is(err, errPageGap) {
			return got, err
		}
		p.log.Debug("list changed while read, reading again", "resource", resource)
	}
	return got, nil
}

func readListOnce[T any](ctx context.Context, p *Poller, resource string, base url.Values,
	id func(T) string) (map[string]T, error) {
	q := url.Values{}
	for k, v := range base {
		q[k] = v
	}
	limit := p.cfg.PageSize
	q.Set("limit", strconv.Itoa(limit))
	got := make(map[string]T)
	offset := 0
	for range maxPageReads {
		q.Set("offset", strconv.Itoa(offset))
		page, err := listPage[T](ctx, p, resource, q)
		if err != nil {
			return nil, err
		}
		objs := page.Objects
		if offset > 0 && (len(objs) == 0 || !hasKey(got, id(objs[0]))) {
			return got, errPageGap
		}
		for _, o := range objs {
			got[id(o)] = o
		}
		if page.Meta.Next == nil || *page.Meta.Next == "" || len(objs) == 0 {
			return got, nil
		}
		// A node may cap the page below what was asked; step by what it gave.
		step := len(objs) - min(p.cfg.PageOverlap, len(objs)/2)
		offset += max(step, 1)
	}
	return nil, fmt.Errorf("list %s: more than %d pages", resource, maxPageReads)
}

func hasKey[T any](m map[string]T, k string) bool {
	_, ok := m[k]
	return ok
}
