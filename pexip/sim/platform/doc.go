// Package platform is the living model of a Pexip Infinity deployment behind the simulated
// Management Node: conferences and participants with their media streams and call quality,
// Conferencing Nodes and locations with their load, alarms, registrations, licensing, cloud
// overflow nodes, backplanes and the call history. It also answers the conference-control
// commands (participant/*, conference/*, platform/start_cloudnode).
//
// Everything it returns is in the Management API's wire format (field names, string-encoded
// lists, naive UTC datetimes, UUID or digit-string ids) as map[string]any, so the simulator's
// HTTP side can filter, order and serialise it without knowing the resources.
//
// The package has no goroutines of its own: time moves only when Step is called, and only as
// far as Options.Clock says. With a ManualClock and a fixed seed every run is identical.
//
// It must not import net/http or pexops/pexip/sim (the simulator imports this package); it
// imports pexops/pexip only for the time and list wire formats.
//
// Choices where the guide is silent (the console must not depend on them being exact):
//
//   - A participant held at the "Waiting for conference host" screen, because the conference
//     is locked or because no host has joined a PIN-protected service yet, is listed with
//     is_on_hold true, has_media false, no media streams, license_type "nolicense" and
//     call_quality "unknown". A call put on hold by its endpoint has is_on_hold true but
//     has_media true.
//   - Chairs of a service with a host PIN, dial-outs (participant/dial, ADPs) and transfers
//     bypass a lock, as the guide says host-PIN holders do.
//   - A transferred participant keeps its id; only its last conference gets its history
//     record.
//   - call_quality is the most common of the last three windows; on a tie the worst wins.
//   - Media tokens: audio 1, SD 6, HD 12, full HD 24 per call; max_media_tokens is
//     12 x max_hd_calls. A node's media_load is tokens used over max, capped at 100.
//   - Unknown dial aliases, nodes and choices answer 400 {"dial": {"<field>": [...]}} with
//     Django-like messages.
package platform
