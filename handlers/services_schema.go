package handlers

import (
	"context"
	"fmt"
	"sync"

	"pexops/pexip"
)

// schemaCache holds the schema of each configuration resource once read. A schema changes
// only when the Management Node is upgraded, so one read per resource per process is enough;
// a failed read is not cached, and the next page view tries again. The zero value is ready.
//
// NOTE: after a node upgrade pexops shows the old choices until it is restarted. That is the
// price of not reading a schema on every page view.
type schemaCache struct {
	mu      sync.Mutex
	schemas map[string]*pexip.Schema
	loading map[string]chan struct{}
}

// schema returns the cached schema of resource, reading it at most once at a time.
func (h *Handler) schema(ctx context.Context, resource string) (*pexip.Schema, error) {
	sc := &h.schemas
	for {
		sc.mu.Lock()
		if s, ok := sc.schemas[resource]; ok {
			sc.mu.Unlock()
			return s, nil
		}
		if wait, busy := sc.loading[resource]; busy {
			sc.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, fmt.Errorf("schema %s: %w", resource, ctx.Err())
			}
		}
		if sc.loading == nil {
			sc.loading = map[string]chan struct{}{}
		}
		if sc.schemas == nil {
			sc.schemas = map[string]*pexip.Schema{}
		}
		done := make(chan struct{})
		sc.loading[resource] = done
		sc.mu.Unlock()

		s, err := h.Pexip.Schema(ctx, resource)

		sc.mu.Lock()
		delete(sc.loading, resource)
		if err == nil {
			sc.schemas[resource] = s
		}
		sc.mu.Unlock()
		close(done)
		return s, err
	}
}

// schemaOrNil is schema for pages that can do without it (built-in choices, no sort links):
// a failure is logged and the page still renders.
func (h *Handler) schemaOrNil(ctx context.Context, resource string) *pexip.Schema {
	s, err := h.schema(ctx, resource)
	if err != nil {
		h.log.Warn("read schema", "resource", resource, "error", err)
		return nil
	}
	return s
}

// choicesOf returns the valid_choices of a schema field as strings, or fallback when the
// schema is missing or lists none. A newer node's extra choices appear without a code change.
func choicesOf(s *pexip.Schema, field string, fallback []string) []string {
	if s == nil {
		return fallback
	}
	f, ok := s.Fields[field]
	if !ok || len(f.ValidChoices) == 0 {
		return fallback
	}
	out := make([]string, 0, len(f.ValidChoices))
	for _, v := range f.ValidChoices {
		if v == nil {
			continue
		}
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// sortable returns the fields the schema allows in order_by; fallback without a schema.
func sortable(s *pexip.Schema, fallback ...string) map[string]bool {
	out := map[string]bool{}
	if s == nil {
		for _, f := range fallback {
			out[f] = true
		}
		return out
	}
	for _, f := range s.Ordering {
		out[f] = true
	}
	return out
}

// filterable reports whether the schema allows filtering field (true without a schema: the
// node's 400 then says otherwise).
func filterable(s *pexip.Schema, field string) bool {
	if s == nil || s.Filtering == nil {
		return true
	}
	_, ok := s.Filtering[field]
	return ok
}
