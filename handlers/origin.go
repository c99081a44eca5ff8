package handlers

import (
	"net/http"
	"net/url"
	"strings"
)

// originAllowed reports whether a browser request comes from a page of this console: its
// Origin (or, without one, its Referer) has the console's own scheme, host and port, or is a
// configured allowed origin (deployments behind a proxy that rewrites Host or terminates TLS).
// A request with neither header is not from a browser page; it still needs its credentials.
func (h *Handler) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref, err := url.Parse(r.Header.Get("Referer"))
		if err != nil || ref.Host == "" {
			return r.Header.Get("Referer") == ""
		}
		origin = ref.Scheme + "://" + ref.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if strings.EqualFold(origin, scheme+"://"+r.Host) {
		return true
	}
	for _, o := range h.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}
