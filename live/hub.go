package live

import (
	"log/slog"
	"sync"
)

// DefaultBuffer is the number of messages a subscriber may fall behind before it is dropped,
// when Subscribe is given no buffer size.
const DefaultBuffer = 64

// Message is one payload for one topic, for PublishAll.
type Message struct {
	Topic string
	Data  []byte
}

// Hub fans messages out to subscribers by topic. Topics are strings chosen by the console
// ("conferences", "conference:<name>", "board", "participant:<id>").
//
// Publish never blocks on a subscriber: each one has a bounded buffer and a subscriber whose
// buffer is full is dropped, to resynchronise from a snapshot. Every read and write of the
// subscriber set happens under one mutex; sends are non-blocking, so holding it is short.
//
// NOTE: payloads are shared between all subscribers of a topic, not copied. Neither the
// publisher nor a subscriber may modify a slice after handing it over.
type Hub struct {
	log *slog.Logger
	m   *Metrics

	mu     sync.Mutex
	topics map[string]map[*Subscriber]struct{}
	nextID uint64
}

// NewHub returns an empty hub. log and m may be nil.
func NewHub(log *slog.Logger, m *Metrics) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{log: log, m: m, topics: make(map[string]map[*Subscriber]struct{})}
}

// Subscriber receives the messages of the topics it subscribed to, in publish order.
type Subscriber struct {
	hub     *Hub
	id      uint64
	topics  []string
	msgs    chan []byte
	dropped chan struct{}

	// gone is guarded by hub.mu: once true the subscriber is in no topic and msgs is closed.
	gone bool
}

// Subscribe registers a subscriber for topics with room for buffer pending messages
// (DefaultBuffer when buffer <= 0). Duplicate topics count once. The caller must Close it.
func (h *Hub) Subscribe(topics []string, buffer int) *Subscriber {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	s := &Subscriber{
		hub:     h,
		topics:  uniqueTopics(topics),
		msgs:    make(chan []byte, buffer),
		dropped: make(chan struct{}),
	}

	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	s.id = h.nextID
	for _, t := range s.topics {
		set := h.topics[t]
		if set == nil {
			set = make(map[*Subscriber]struct{})
			h.topics[t] = set
		}
		set[s] = struct{}{}
	}
	h.m.subscribed(s.kinds())
	return s
}

// Publish hands data to every subscriber of topic without waiting for any of them. A
// subscriber whose buffer is full is dropped.
func (h *Hub) Publish(topic string, data []byte) {
	h.mu.Lock()
	dropped := h.publishLocked(topic, data, nil)
	h.mu.Unlock()
	h.logDropped(dropped)
}

// PublishAll publishes several messages in order under one lock, so that no subscriber sees
// a message of a later batch between two of an earlier one.
func (h *Hub) PublishAll(msgs []Message) {
	var dropped []*Subscriber
	h.mu.Lock()
	for _, msg := range msgs {
		dropped = h.publishLocked(msg.Topic, msg.Data, dropped)
	}
	h.mu.Unlock()
	h.logDropped(dropped)
}

// publishLocked sends without blocking and drops every subscriber whose buffer is full,
// appending them to dropped. Deleting from the map being ranged over is allowed in Go.
func (h *Hub) publishLocked(topic string, data []byte, dropped []*Subscriber) []*Subscriber {
	for s := range h.topics[topic] {
		select {
		case s.msgs <- data:
		default:
			h.removeLocked(s, true)
			close(s.dropped)
			dropped = append(dropped, s)
		}
	}
	return dropped
}

// logDropped logs outside the lock, so a slow log sink cannot hold up publishing. Topics
// may carry conference names and participant ids, so only their kinds are logged.
func (h *Hub) logDropped(dropped []*Subscriber) {
	for _, s := range dropped {
		h.log.Warn("live subscriber dropped", "subscriber", s.id,
			"topic_kinds", s.kinds(), "buffer", cap(s.msgs))
	}
}

// removeLocked takes s out of every topic and closes its message channel. Closing happens
// under the lock, and sends only happen under the lock to subscribers still in a topic, so
// a send on a closed channel cannot happen.
func (h *Hub) removeLocked(s *Subscriber, dropped bool) {
	if s.gone {
		return
	}
	s.gone = true
	for _, t := range s.topics {
		set := h.topics[t]
		delete(set, s)
		if len(set) == 0 {
			delete(h.topics, t)
		}
	}
	close(s.msgs)
	h.m.unsubscribed(s.kinds(), dropped)
}

// Counts returns how many subscribers each topic has.
func (h *Hub) Counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	counts := make(map[string]int, len(h.topics))
	for t, set := range h.topics {
		counts[t] = len(set)
	}
	return counts
}

// Messages delivers the subscriber's messages. It is closed by Close and when the
// subscriber is dropped; messages already buffered can still be read, but a dropped
// subscriber should discard them and resynchronise from a snapshot.
func (s *Subscriber) Messages() <-chan []byte { return s.msgs }

// Dropped is closed when the hub dropped the subscriber for not keeping up. It is never
// closed by Close.
func (s *Subscriber) Dropped() <-chan struct{} { return s.dropped }

// Topics returns the subscriber's topics, duplicates removed.
func (s *Subscriber) Topics() []string { return append([]string(nil), s.topics...) }

// Close unsubscribes. It is safe to call more than once and after the subscriber was dropped.
func (s *Subscriber) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.hub.removeLocked(s, false)
}

// kinds returns the metric label of each topic (topics are unique, kinds need not be).
func (s *Subscriber) kinds() []string {
	kinds := make([]string, len(s.topics))
	for i, t := range s.topics {
		kinds[i] = topicKind(t)
	}
	return kinds
}

func uniqueTopics(topics []string) []string {
	seen := make(map[string]bool, len(topics))
	out := make([]string, 0, len(topics))
	for _, t := range topics {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
