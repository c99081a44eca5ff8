package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Throttle limits. Five attempts pass; the sixth waits 30 s, and each attempt after a wait
// doubles it, up to 15 min. A pair that has not tried for an hour starts afresh.
const (
	throttleFree    = 5
	throttleWait    = 30 * time.Second
	throttleMaxWait = 15 * time.Minute
	throttleForget  = time.Hour
	throttleMaxKeys = 10000
)

// ErrThrottled matches a *ThrottledError with errors.Is.
var ErrThrottled = errors.New("too many failed logins")

// ThrottledError is returned by Users.Login while a username and address must wait.
type ThrottledError struct {
	RetryAfter time.Duration
}

// Error says how long to wait, rounded up to whole seconds.
func (e *ThrottledError) Error() string {
	secs := (e.RetryAfter + time.Second - 1) / time.Second
	return fmt.Sprintf("too many failed logins, try again in %d s", secs)
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// throttle counts login attempts per username and address, in memory.
//
// NOTE: every attempt counts before the password is checked, and a success clears the count.
// Counting first means parallel guesses cannot all slip in while the first bcrypt check runs.
type throttle struct {
	now func() time.Time

	mu    sync.Mutex
	state map[string]*throttleState
}

type throttleState struct {
	attempts int
	last     time.Time
	until    time.Time
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, state: make(map[string]*throttleState)}
}

func throttleKey(username, addr string) string {
	if len(username) > maxUsername {
		username = username[:maxUsername]
	}
	return strings.ToLower(username) + "\x00" + addr
}

// attempt records an attempt for key and returns how long it must wait first (0 = go ahead).
func (t *throttle) attempt(key string) time.Duration {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()

	st := t.state[key]
	if st != nil && now.Sub(st.last) > throttleForget && !now.Before(st.until) {
		st = nil
	}
	if st == nil {
		t.makeRoom(now)
		st = &throttleState{}
		t.state[key] = st
	}
	if now.Before(st.until) {
		return st.until.Sub(now)
	}

	st.attempts++
	st.last = now
	if st.attempts >= throttleFree {
		st.until = now.Add(backoff(st.attempts - throttleFree))
	}
	return 0
}

// backoff is the wait after the n-th attempt beyond the free ones (n from 0).
func backoff(n int) time.Duration {
	d := throttleWait
	for range n {
		d *= 2
		if d >= throttleMaxWait {
			return throttleMaxWait
		}
	}
	return d
}

func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.state, key)
	t.mu.Unlock()
}

// makeRoom keeps the map bounded: it forgets stale pairs and, if still full, the oldest one.
// The caller holds t.mu.
func (t *throttle) makeRoom(now time.Time) {
	if len(t.state) < throttleMaxKeys {
		return
	}
	var oldestKey string
	var oldest time.Time
	for k, st := range t.state {
		if now.Sub(st.last) > throttleForget && !now.Before(st.until) {
			delete(t.state, k)
			continue
		}
		if oldestKey == "" || st.last.Before(oldest) {
			oldestKey, oldest = k, st.last
		}
	}
	if len(t.state) >= throttleMaxKeys {
		delete(t.state, oldestKey)
	}
}
