package sim

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"pexops/pexip/sim/platform"
)

// Options configure a simulator. Zero values mean the defaults.
type Options struct {
	Seed  int64
	Clock platform.Clock // nil = real time
	Demo  bool           // random conferences, joins and leaves

	Services           int // seeded services, default 30
	TargetConferences  int
	TargetParticipants int

	Users        map[string]string // Basic credentials; default {"admin": "pexops-sim"}
	OAuthClients map[string]*ecdsa.PublicKey
	MaxLimit     int // cap on ?limit= (and on limit=0); 0 = no cap
	HistoryCap   int

	TickInterval time.Duration // real-clock stepping, default 1s
	Logger       *slog.Logger
}

// DefaultUser and DefaultPassword are the Basic credentials of a simulator without Users.
const (
	DefaultUser     = "admin"
	DefaultPassword = "pexops-sim"
)

// Sim is a simulated Management Node: an http.Handler serving /api/admin/ and /oauth/token/.
type Sim struct {
	opts     Options
	log      *slog.Logger
	cat      *catalog
	store    *store
	platform *platform.Platform
	faults   *Faults
	stats    *statsRecorder
	auth     *authenticator

	backups *backupStore
}

// New builds a simulator seeded with the demo deployment of opts.Seed.
func New(opts Options) *Sim {
	if opts.Clock == nil {
		opts.Clock = platform.RealClock()
	}
	if opts.Users == nil {
		opts.Users = map[string]string{DefaultUser: DefaultPassword}
	}
	if opts.TickInterval <= 0 {
		opts.TickInterval = time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cat := newCatalog(schemaStamp(opts.Clock.Now()))
	s := &Sim{opts: opts, log: log, cat: cat, store: newStore(cat, opts.Clock),
		faults: newFaults(opts.Seed), stats: newStatsRecorder(), backups: newBackupStore()}
	s.auth = newAuthenticator(opts.Users, opts.OAuthClients)
	seed := platform.DemoSeed(opts.Seed, opts.Services)
	if err := s.store.load(seed); err != nil {
		log.Error("seed configuration", "error", err)
	}
	s.platform = platform.New(platform.Options{Seed: opts.Seed, Clock: opts.Clock,
		Activity: opts.Demo, TargetConferences: opts.TargetConferences,
		TargetParticipants: opts.TargetParticipants, HistoryCap: opts.HistoryCap},
		directory{s.store}, seed.Locations, seed.Nodes)
	return s
}

// Platform returns the living platform model behind the status, history and command APIs.
func (s *Sim) Platform() *platform.Platform { return s.platform }

// Faults returns the fault injection controls.
func (s *Sim) Faults() *Faults { return s.faults }

// Stats returns a snapshot of the request counts.
func (s *Sim) Stats() Stats { return s.stats.snapshot() }

// Advance moves a manual clock on by d and steps the platform to it. With any other clock it
// only steps the platform.
func (s *Sim) Advance(d time.Duration) {
	if mc, ok := s.opts.Clock.(*platform.ManualClock); ok {
		mc.Advance(d)
	}
	s.platform.Step()
}

// Run steps the platform every TickInterval until ctx ends.
func (s *Sim) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.platform.Step()
		}
	}
}

// ServeHTTP answers one request: statistics, faults, authentication, then the API.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	done := s.stats.begin()
	start := time.Now()
	defer func() {
		pattern := patternOf(r.URL.Path)
		done(r.Method, pattern, rec.status)
		s.log.Debug("sim request", "method", r.Method, "path", pattern, "status", rec.status,
			"duration", time.Since(start))
	}()
	defer s.recoverPanic(rec, r)

	if s.faults.before(r.Context(), rec) {
		return
	}
	if r.URL.Path == "/oauth/token/" {
		s.auth.handleToken(rec, r)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/api/admin/") {
		notFound(rec)
		return
	}
	if !s.auth.check(r) {
		rec.Header().Set("WWW-Authenticate", `Basic realm="Pexip Infinity Management API"`)
		rec.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.Body = http.MaxBytesReader(rec, r.Body, 64<<20)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.route(rec, r)
		return
	}
	s.faults.wrapWrite(rec, r, s.route)
}

// route dispatches on the path below /api/admin/.
func (s *Sim) route(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if !strings.HasSuffix(p, "/") && r.Method != http.MethodGet && r.Method != http.MethodHead &&
		guideUnslashed(p) {
		p += "/"
	}
	if !strings.HasSuffix(p, "/") {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			target := p + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		notFound(w)
		return
	}
	segs := strings.Split(strings.Trim(strings.TrimPrefix(p, "/api/admin/"), "/"), "/")
	switch {
	case len(segs) == 1 && segs[0] == "schema":
		s.getOnly(w, r, s.handleSchemaSummary)
	case len(segs) >= 2 && segs[0] == "command" && segs[1] == "v1":
		s.routeCommand(w, r, segs[2:])
	case len(segs) >= 2 && segs[1] == "v1" && s.cat.apis[segs[0]] != nil:
		s.routeResource(w, r, segs[0], segs[2:])
	default:
		notFound(w)
	}
}

// guideUnslashed reports whether p is one of the detail paths the guide's own examples send
// without a trailing slash, which a method other than GET then reaches as if it were there
// (a GET still gets the 301, which clients follow): licence/<fulfillment_id> (returning a
// licence) and licence_request/<request_id> (uploading response.xml).
func guideUnslashed(p string) bool {
	rest, ok := strings.CutPrefix(p, "/api/admin/configuration/v1/")
	if !ok {
		return false
	}
	name, key, _ := strings.Cut(rest, "/")
	return (name == "licence" || name == "licence_request") && key != "" &&
		!strings.Contains(key, "/") && key != "schema"
}

func (s *Sim) routeResource(w http.ResponseWriter, r *http.Request, api string, segs []string) {
	if len(segs) == 0 {
		s.getOnly(w, r, func(w http.ResponseWriter, _ *http.Request) { s.handleRoot(w, api) })
		return
	}
	res := s.cat.lookup(api, segs[0])
	if res == nil {
		notFound(w)
		return
	}
	switch {
	case len(segs) == 2 && segs[1] == "schema":
		s.getOnly(w, r, func(w http.ResponseWriter, _ *http.Request) { writeRaw(w, 200, res.schema) })
	case api == "configuration":
		s.routeConfig(w, r, res, segs[1:])
	default:
		s.routeLive(w, r, res, segs[1:])
	}
}

func (s *Sim) getOnly(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, methodsGet)
		return
	}
	h(w, r)
}

// handleRoot lists the resources of one API with their list and schema URIs.
func (s *Sim) handleRoot(w http.ResponseWriter, api string) {
	writeJSON(w, http.StatusOK, s.rootListing(api))
}

func (s *Sim) rootListing(api string) map[string]any {
	out := map[string]any{}
	for name, res := range s.cat.apis[api] {
		out[name] = map[string]string{"list_endpoint": res.path(), "schema": res.path() + "schema/"}
	}
	return out
}

func (s *Sim) commandListing(group string) map[string]any {
	out := map[string]any{}
	for name, c := range s.cat.commands[group] {
		out[name] = map[string]string{"list_endpoint": c.path(), "schema": c.path() + "schema/"}
	}
	return out
}

// handleSchemaSummary serves /api/admin/schema/ in the format the fact sheet suggests: every
// API's root listing under its name.
func (s *Sim) handleSchemaSummary(w http.ResponseWriter, _ *http.Request) {
	cmds := map[string]any{}
	for group := range s.cat.commands {
		cmds[group] = s.commandListing(group)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"configuration": s.rootListing("configuration"),
		"status":        s.rootListing("status"),
		"history":       s.rootListing("history"),
		"command":       cmds,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { writeRaw(w, status, encode(v)) }

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, err error) {
	switch e := err.(type) {
	case *badRequest:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": e.msg})
	case *validationError:
		writeJSON(w, http.StatusBadRequest, e.body())
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error_message": cannedError})
	}
}

// cannedError is Tastypie's answer to an unexpected server error.
const cannedError = "Sorry, this request could not be processed. Please try again later."

// notFound answers 404 with an empty body, as Tastypie's HttpNotFound does.
func notFound(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound) }

func methodNotAllowed(w http.ResponseWriter, allowed []string) {
	w.Header().Set("Allow", allowHeader(allowed))
	w.WriteHeader(http.StatusMethodNotAllowed)
}

// recoverPanic turns a panic of a handler into Tastypie's canned 500, logged at Error, so a
// bug answers like a real node's server error instead of dropping the connection.
// http.ErrAbortHandler is passed on: it is how a handler asks for exactly that drop.
func (s *Sim) recoverPanic(w *statusWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	s.log.Error("sim handler panic", "method", r.Method, "path", patternOf(r.URL.Path),
		"error", fmt.Sprint(v), "stack", string(debug.Stack()))
	if w.wrote {
		panic(http.ErrAbortHandler) // too late for a clean 500: drop the connection
	}
	writeJSON(w, http.StatusInternalServerError, map[string]string{"error_message": cannedError})
}

// statusWriter remembers the status written, for statistics and the panic handler.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.status, w.wrote = code, true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func schemaStamp(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000")
}
