// Package sim is a simulated Pexip Infinity v18+ Management Node: an http.Handler speaking
// the real wire format of /api/admin/{configuration,status,history,command}/v1/ and
// /oauth/token/, used by the demo, the standalone simulator command and every test of the
// project.
//
// It owns the HTTP side of the simulator: the router, Basic and OAuth2 authentication, the
// Tastypie list engine (filters, ordering, pagination), the schemas of every resource and
// command, the in-memory configuration store, fault injection and request statistics. The
// living platform (conferences, participants, nodes, history) is pexip/sim/platform, reached
// only through its contract; the store gives it a live Directory of the configured services.
// The package imports pexip for its shared value types and the test client, and must not
// import anything of the console (handlers, views, live, auth).
//
// Behaviour follows the fact sheet (shared/reference/pexip-api-facts.md). Where the sheet
// only suggests a behaviour, this package does the suggested thing:
//
//   - a path without its trailing slash: 301 to the slashed URL on GET, 404 otherwise, except
//     the two the guide's own examples send unslashed (DELETE licence/<fulfillment_id>, POST
//     licence_request/<request_id>), which every other method reaches as if slashed;
//   - a DELETE on a list URI deletes what its filters select (everything without filters),
//     cascades included, as Tastypie's delete_list does; paging and ordering are ignored;
//   - history/v1/media_stream/ lists the streams nested in history participants and
//     backplanes; status media streams answer at their resource_uri
//     (participant/<id>/media_stream/<n>/), licensing at licensing/1/;
//   - /api/admin/schema/ is {"configuration": <root>, "status": <root>, "history": <root>,
//     "command": {"participant": <root>, "conference": <root>, "platform": <root>}};
//   - no cap on ?limit= unless Options.MaxLimit is set; limit=0 returns everything and leaves
//     next and previous out of meta;
//   - filters also accept the Django lookups in (a comma list) and isnull;
//   - the token endpoint answers RFC 6749 errors: 400 invalid_request, unsupported_grant_type
//     or invalid_grant, 401 invalid_client;
//   - commands answer 202, disconnects and conference/sync 200 (the platform decides for its
//     commands); conference/sync, send_conference_email and send_device_email check the
//     template, service or device they name and change nothing;
//   - the rate limiter (off by default) answers 429 with Retry-After in whole seconds;
//   - a handler panic is logged at Error and answered with Tastypie's canned 500.
//
// Simulator extension: status participants carry is_waiting (Pexip v18 has no such field),
// true while the participant is held at the waiting screen of a locked conference or of one
// without a host yet; such a participant also has is_on_hold true and has_media false, which
// is what a client should test on a real node.
//
// NOTE: a few behaviours are our own choices where nothing is known. A PATCH of a missing
// integer id creates the object under the next id (the guide says PATCH creates; ids are
// never reused, so the asked-for id is not honoured) and answers 201 with its Location. A
// POST on a detail URI answers 501 as Tastypie does. The only cross-field rules are on
// conference PINs (host and guest PIN must differ; a guest PIN needs a host PIN). Regular
// expression filters use Go's RE2 syntax, so look-ahead patterns such as ^(?!MSSIP) are
// refused with a 400 where a real node would accept them. Regular expressions written to a
// routing rule's or Virtual Reception's match_string are refused only when no engine could
// parse them (unbalanced parentheses or brackets, a trailing backslash, a reversed range, a
// repeat of nothing); Python-only syntax such as look-ahead is stored as given.
package sim
