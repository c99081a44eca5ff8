// Package live is the engine behind every live view of pexops: one Poller per Management Node
// that reads the status API with a single careful request stream, keeps an immutable State
// and turns each read into typed Deltas, and a Hub that fans rendered updates out to any
// number of websocket subscribers without ever letting a slow one hold up the others.
//
// The Poller imports pexip (the client and its models) and nothing of the console. This
// package must not import net/http server code, templ, handlers, views or auth: rendering
// and transport belong to the console, which consumes Poller.Batches and publishes to the Hub.
package live
