package handlers

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// defaultReadBudget bounds all the upstream reads of one configuration page together, so a
// hung Management Node costs an operator seconds, not a minute per relation.
const defaultReadBudget = 8 * time.Second

// svcState is the services area's per-process state. The zero value is ready: the
// fingerprint key is made on first use.
type svcState struct {
	once       sync.Once
	key        []byte
	readBudget time.Duration // 0 = defaultReadBudget; tests shorten it
}

// fingerprintKey is a random key of this process, never shown or stored.
func (h *Handler) fingerprintKey() []byte {
	h.svc.once.Do(func() {
		h.svc.key = make([]byte, 32)
		rand.Read(h.svc.key) // never fails (Go 1.24+: it crashes the program instead)
	})
	return h.svc.key
}

// fingerprint identifies form values: the object as a form was filled from it. It is an
// HMAC with a key of this process, so a fingerprint on a page (which every role sees) says
// nothing about the values it covers: a 4-digit PIN cannot be recovered by trying them all.
func (h *Handler) fingerprint(v formValues) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	mac := hmac.New(sha256.New, h.fingerprintKey())
	for _, k := range keys {
		mac.Write([]byte(k + "\x00" + v[k] + "\x00"))
	}
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// formBase is the fingerprint the submitted form was filled from, or, for a form without
// one (a script posting a few fields), that of current.
func (h *Handler) formBase(c echo.Context, current formValues) string {
	if b := c.FormValue("_base"); b != "" {
		return b
	}
	return h.fingerprint(current)
}

// changedSince reports whether the object changed after the form was filled from it. Saving
// then would turn the other change back wherever the form still shows the old value.
func (h *Handler) changedSince(c echo.Context, current formValues) bool {
	return !hmac.Equal([]byte(h.formBase(c, current)), []byte(h.fingerprint(current)))
}

const (
	readsKey   = "pexops.services.reads"
	relatedKey = "pexops.services.related"
)

// reads is the context for every upstream read of this request: the request's context with
// one deadline for all of them together (writes use the request's own context).
func (h *Handler) reads(c echo.Context) context.Context {
	if ctx, ok := c.Get(readsKey).(context.Context); ok {
		return ctx
	}
	budget := h.svc.readBudget
	if budget <= 0 {
		budget = defaultReadBudget
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), budget)
	c.Set(readsKey, ctx)
	c.Response().After(cancel)
	return ctx
}

// relatedList is the choices of one relation's resource, or why they could not be read.
type relatedList struct {
	choices []views.Choice
	err     error
}

// relatedChoices lists the objects a form's relations may point at (themes, locations):
// one list call per resource per request, however many fields point at it. A failure is
// returned per field, and the form keeps the current value as its only choice.
func (h *Handler) relatedChoices(c echo.Context, specs []fieldSpec) (map[string][]views.Choice, map[string]error) {
	cache, _ := c.Get(relatedKey).(map[string]relatedList)
	if cache == nil {
		cache = map[string]relatedList{}
		c.Set(relatedKey, cache)
	}
	out, failed := map[string][]views.Choice{}, map[string]error{}
	for _, s := range specs {
		if s.kind != kRelated {
			continue
		}
		l, done := cache[s.related]
		if !done {
			l = h.readRelated(h.reads(c), s.related)
			cache[s.related] = l
		}
		if l.err != nil {
			failed[s.name] = l.err
			continue
		}
		out[s.name] = l.choices
	}
	return out, failed
}

func (h *Handler) readRelated(ctx context.Context, resource string) relatedList {
	q := url.Values{"limit": {"500"}, "order_by": {"name"}}
	page, err := pexip.ListPage[map[string]any](ctx, h.Pexip, resource, q)
	if err != nil {
		h.log.Warn("list choices", "resource", resource, "error", err)
		return relatedList{err: err}
	}
	var l relatedList
	for _, obj := range page.Objects {
		name, _ := obj["name"].(string)
		l.choices = append(l.choices, views.Choice{Value: relatedURI(obj, resource), Label: name})
	}
	return l
}

// degraded notes, beside each relation whose choices could not be read and for the whole
// form, which choices are missing or built in: the form still opens, and saving it keeps the
// current values of those fields.
func degraded(schema *pexip.Schema, failed map[string]error, warns map[string]string) (map[string]string, string) {
	out := make(map[string]string, len(warns)+len(failed))
	for k, v := range warns {
		out[k] = v
	}
	var notes []string
	if schema == nil {
		notes = append(notes, "pexops could not read this form's choices from Pexip; the choices shown are "+
			"those of Pexip v18, and a newer node may offer more.")
	}
	if len(failed) > 0 {
		notes = append(notes, "Some lists could not be read from Pexip in time: the fields marked keep their "+
			"current value.")
	}
	for name := range failed {
		if out[name] == "" {
			out[name] = "The choices could not be read from Pexip; the current value is kept."
		}
	}
	return out, strings.Join(notes, " ")
}
