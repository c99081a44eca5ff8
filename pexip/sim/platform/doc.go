// Package platform is the living model of a Pexip Infinity deployment behind the simulated
// Management Node: conferences and participants with their media streams and call quality,
// Conferencing Nodes and locations with their load, alarms, registrations, licensing, cloud
// overflow nodes, conference shards, backplanes and the call history. It also answers the
// conference-control commands (participant/*, conference/*, platform/start_cloudnode).
//
// Everything it returns is in the Management API's wire format (the guide's field names,
// string-encoded quality lists, naive UTC datetimes with six fraction digits or none, UUID or
// digit-string ids) as map[string]any, so the simulator's HTTP side can filter, order and
// serialise it without knowing the resources. Objects are cached and shared: they are never
// changed once handed out, and a change builds a new Object.
//
// The package has no goroutines of its own: time moves only when Step is called, in ticks of
// one second (longer when a Step covers more than ten minutes), and only as far as
// Options.Clock says. With a ManualClock, a fixed seed and the same calls, every run is
// identical. With Activity off the platform is empty and changes only through commands and
// the scripting methods (Join, Leave, SetQuality, FailNode, RecoverNode); with it on it
// starts busy, with a day of history.
//
// It must not import net/http or pexops/pexip/sim (the simulator imports this package); it
// imports pexops/pexip only for the time, quality and list wire formats.
//
// NOTE: where the guide is silent the model makes these choices; the console must not depend
// on them being exact.
//
//   - A participant held at the "Waiting for conference host" screen, because the conference
//     is locked or because no host has joined a PIN-protected service with guests yet, is
//     listed with is_on_hold true, has_media false, no media streams, bandwidth 0,
//     license_type "nolicense" and call_quality "unknown". A call its endpoint put on hold
//     has is_on_hold true and has_media true.
//   - Chairs of a service with a host PIN, dial-outs, ADPs and transfers pass a lock, as the
//     guide says PIN holders do; a transferred guest still waits for a host.
//   - A transferred participant keeps its id in status. Each conference leg is a history
//     participant of its own conference: the legs it left carry disconnect_reason
//     "Transferred", the leg's own start, end and duration, and a new id; the leg it ends
//     in keeps the participant's id. Media stream counters restart with each leg.
//   - is_waiting (not a v18 field: a simulator extension) is true while a participant is
//     held at the waiting screen, beside is_on_hold true and has_media false.
//   - A dial with routing "routing_rule" and neither node nor system_location is placed
//     by the platform (the least loaded node of a location), as routing by rule would.
//   - call_quality is the most common of the last three windows, the worst on a tie.
//   - Media tokens: audio 1, SD 6, HD 12, full HD 24 per call and 12 per backplane end;
//     max_media_tokens is 12 x max_hd_calls; media_load is used over max, capped at 100.
//   - A dial rings for 2-4 s before the participant appears; an ADP rings for 3 s and leaves
//     when only ADPs remain. An overflow node takes 90 s to start, starts by itself when a
//     location passes 90 % load, and stops after 30 min idle.
//   - Refused dials answer 400 {"dial": {"<field>": [...]}} with Django-like messages; the
//     failed node's sync_status is "UNREACHABLE".
package platform
