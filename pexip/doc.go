// Package pexip is a client for the Pexip Infinity Management Node REST API: the configuration,
// status, history and command APIs under /api/admin/.
//
// It owns the wire format (typed models, the tolerant time and list decoders the real API
// needs), the HTTP transport (one kept-alive connection, a bound on requests in flight,
// timeouts, retries of idempotent reads only) and the error values the console shows.
//
// It must not import anything of the console (handlers, views, live, auth), nor the simulator
// in pexip/sim; the simulator imports this package, never the other way round.
package pexip
