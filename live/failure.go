package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"pexops/pexip"
)

// failed records a failed read. The last good data stays; the state is marked stale. When the
// node itself failed (unreachable, overloaded, refusing us) every read waits out a backoff;
// it reports whether the step may go on.
func (p *Poller) failed(ctx context.Context, resource string, err error, now time.Time) bool {
	if ctx.Err() != nil {
		return false // shutting down: not a failure of the node
	}
	why, nodeDown, retryAfter := explain(err)
	text := fmt.Sprintf("reading %s: %s", resourceTitle(resource), why)
	_, already := p.loop.failing[resource]
	p.loop.failing[resource] = text
	p.loop.lastError = text

	if !nodeDown {
		p.log.Log(ctx, slogLevelFor(already), "live read failed", "resource", resource, "error", err)
		p.commit(nil)
		return true
	}
	p.loop.backoff = min(max(p.loop.backoff*2, p.cfg.MinBackoff), p.cfg.MaxBackoff)
	wait := max(p.loop.backoff, min(retryAfter, p.cfg.MaxRetryAfter))
	p.loop.retryAt = now.Add(wait)

	p.log.Log(ctx, slogLevelFor(already), "live read failed, backing off", "resource", resource,
		"error", err, "backoff", wait)
	p.commit(nil)
	return false
}

// explain turns a read error into a short operator-readable reason (never the raw body),
// whether the node as a whole is failing, and the node's Retry-After.
func explain(err error) (why string, nodeDown bool, retryAfter time.Duration) {
	if apiErr, ok := errors.AsType[*pexip.APIError](err); ok {
		s := apiErr.Status
		switch {
		case s == http.StatusForbidden:
			// Per resource: an admin role may lack the permission for one status list
			// (licensing, say) while the rest reads fine.
			return "the Management Node does not allow this account to read it (HTTP 403)", false, 0
		case s == http.StatusUnauthorized || errors.Is(err, pexip.ErrUnauthorized):
			return fmt.Sprintf("the Management Node refused the credentials (HTTP %d)", s), true, 0
		case s == http.StatusTooManyRequests:
			return "the Management Node is limiting requests (HTTP 429)", true, apiErr.RetryAfter
		case s >= 500:
			return fmt.Sprintf("the Management Node failed (HTTP %d)", s), true, apiErr.RetryAfter
		case s == http.StatusNotFound:
			return "the Management Node does not offer this resource (HTTP 404)", false, 0
		}
		return fmt.Sprintf("the Management Node refused the request (HTTP %d)", s), false, 0
	}
	var netErr net.Error
	switch {
	case errors.Is(err, pexip.ErrUnauthorized): // the OAuth2 token endpoint refused us
		return "the Management Node refused the credentials", true, 0
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return "the Management Node did not answer in time", true, 0
	case errors.As(err, &netErr):
		return "cannot reach the Management Node", true, 0
	}
	return "the Management Node sent an answer that could not be read", false, 0
}

func resourceTitle(resource string) string {
	switch resource {
	case ResourceConference:
		return "conferences"
	case ResourceParticipant:
		return "participants"
	case ResourceNode:
		return "conferencing nodes"
	case ResourceLocation:
		return "locations"
	case ResourceAlarm:
		return "alarms"
	case ResourceRegistration:
		return "registrations"
	case ResourceLicensing:
		return "licensing"
	case ResourceMediaStream:
		return "media streams"
	}
	return resource
}

// slogLevelFor logs the first failure of a resource at Warn and repeats at Debug, so an
// outage gives one line per resource, not one per retry.
func slogLevelFor(repeat bool) slog.Level {
	if repeat {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
