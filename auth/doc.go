// Package auth owns who may use the console and what they did with it: accounts and roles,
// login throttling, server-side sessions behind an opaque cookie, CSRF tokens, the Echo
// middleware that enforces them, wall-board tokens, and the audit trail, all kept in one
// embedded SQLite database.
//
// The console builds one Store and, from it, Sessions, BoardTokens and Audit; Users reads the
// accounts file. Routes are guarded with RequireSession, CSRF and RequireRole; the board routes
// with BoardTokens.Middleware.
//
// It must not import templ, the views, the handlers, live or pexip: it knows nothing of Pexip
// and renders nothing but the plain-text refusals its middleware writes.
package auth
