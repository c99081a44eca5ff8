package auth

import "sync"

// tracker holds close functions of live connections, grouped by what authorised them (a
// session or a board token), so revoking that closes them.
type tracker struct {
	mu    sync.Mutex
	conns map[string]map[uint64]func()
	next  uint64
}

func newTracker() *tracker {
	return &tracker{conns: make(map[string]map[uint64]func())}
}

func (t *tracker) add(key string, closeFn func()) (remove func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.next++
	n := t.next
	if t.conns[key] == nil {
		t.conns[key] = make(map[uint64]func())
	}
	t.conns[key][n] = closeFn
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.conns[key], n)
		if len(t.conns[key]) == 0 {
			delete(t.conns, key)
		}
	}
}

func (t *tracker) count(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns[key])
}

// closeAll forgets the key's connections and calls their close functions, outside the lock so
// a close function may call remove.
func (t *tracker) closeAll(key string) {
	t.mu.Lock()
	conns := t.conns[key]
	delete(t.conns, key)
	t.mu.Unlock()
	for _, closeFn := range conns {
		closeFn()
	}
}
