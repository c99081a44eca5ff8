// Package auth owns who may use the console and what they did with it: accounts and roles,
// login throttling, server-side sessions behind an opaque cookie, CSRF tokens, the Echo
// middleware that enforces them, wall-board tokens, and the audit trail, all kept in one
// embedded SQLite database (Store).
//
// The console opens one Store and builds Sessions, BoardTokens and Audit over it; Users reads
// the accounts file. Console routes go behind Sessions.RequireSession and CSRF, with
// RequireRole where a viewer is not enough; the login form behind Sessions.LoginCSRF; the wall
// board behind BoardTokens.Middleware, the only place a ?token= is accepted. A websocket
// handler ties its connection to the session with Sessions.Track (or BoardTokens.Track), so
// logout and revocation close it, and calls Sessions.Touch now and then to notice expiry.
// Sessions.PruneExpired and Audit.Prune are for a periodic housekeeping job.
//
// Addresses come from echo.Context.RealIP, which in Echo v4.16 is the peer address unless an
// IPExtractor is set. Behind a reverse proxy, set one that trusts that proxy only; otherwise
// every client shares the proxy's address in the audit trail and in the login throttle (where
// one person's failed guesses would then lock a username for everyone).
//
// It must not import templ, the views, the handlers, live or pexip: it knows nothing of Pexip
// and renders nothing but the plain-text refusals its middleware writes.
package auth
