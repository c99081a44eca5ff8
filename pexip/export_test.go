package pexip

import (
	"context"
	"time"
)

// SetSleep replaces the client's retry sleep, so that tests see the waits without waiting.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) {
	c.backoff.sleep = sleep
}

// SetOAuthClock replaces the clock the OAuth token cache uses.
func SetOAuthClock(c *Client, now func() time.Time) {
	if o, ok := c.auth.(*oauthAuth); ok {
		o.now = now
	}
}
