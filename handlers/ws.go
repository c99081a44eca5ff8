package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/live"
)

// Close codes. The page's websocket extension reconnects on 1011, 1012 and 1013 (and on an
// abnormal 1006), and stays closed on 1008, which the page explains as a signed-out session.
const (
	statusServiceRestart = websocket.StatusServiceRestart // console shutting down
	statusTryAgainLater  = websocket.StatusTryAgainLater  // too slow: resynchronise
	statusPolicy         = websocket.StatusPolicyViolation
)

const (
	wsWriteTimeout = 10 * time.Second
	wsPingInterval = 20 * time.Second
	// wsBuffer is how many messages a socket may fall behind before the hub drops it and the
	// page reconnects to a fresh snapshot: a batch is at most two messages per topic.
	wsBuffer = 64
)

// socket is one open websocket.
type socket struct {
	conn *websocket.Conn
	once sync.Once
}

func (s *socket) close(code websocket.StatusCode, reason string) {
	s.once.Do(func() { s.conn.Close(code, reason) })
}

// wsView is what one page subscribes to: its topic, and the participant it watches (whose
// media streams the poller reads only while someone looks).
type wsView struct {
	topic string
	watch string
}

// viewFor maps a page's websocket query to its topic. Each page subscribes only to what it
// shows, so a viewer of one conference is not sent the whole platform.
func viewFor(c echo.Context, sess *auth.Session) (wsView, error) {
	mod := sess.Role.Allows(auth.RoleOperator)
	id := c.QueryParam("id")
	needID := func(v wsView) (wsView, error) {
		if strings.TrimSpace(id) == "" || len(id) > 200 {
			return wsView{}, errUser(http.StatusBadRequest, "This live view needs the id of what it shows.")
		}
		return v, nil
	}
	switch c.QueryParam("topic") {
	case "conferences":
		return wsView{topic: topicConferences}, nil
	case "conference":
		return needID(wsView{topic: topicConference(id, mod)})
	case "participant":
		return needID(wsView{topic: topicParticipant(id), watch: id})
	case "platform":
		return wsView{topic: topicPlatform}, nil
	case "board":
		return wsView{topic: topicBoard}, nil
	}
	return wsView{}, errUser(http.StatusBadRequest, "Unknown live view.")
}

// wsHandler upgrades a signed-in page to a push-only websocket: a snapshot first, then the
// deltas of its topic, until the page goes, the session ends or the console stops.
func (h *Handler) wsHandler(snaps *snapshots) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, ok := auth.FromContext(c)
		if !ok {
			return errUser(http.StatusUnauthorized, "Sign in first.")
		}
		view, err := viewFor(c, sess)
		if err != nil {
			return err
		}
		return h.upgrade(c, snaps, view, func(closeFn func()) func() {
			return h.Sessions.Track(sess.ID, closeFn)
		})
	}
}

// upgrade checks the origin, upgrades and serves view. track registers the close to run when
// the credential behind the socket (a session or a board token) is revoked.
func (h *Handler) upgrade(c echo.Context, snaps *snapshots, view wsView, track func(closeFn func()) (untrack func())) error {
	if err := h.checkOrigin(c.Request()); err != nil {
		return err
	}
	conn, err := websocket.Accept(c.Response().Writer, c.Request(), &websocket.AcceptOptions{
		OriginPatterns: originHosts(h.cfg.AllowedOrigins),
	})
	if err != nil {
		// Accept has written the response already; Echo must not write again.
		h.log.Info("websocket upgrade refused", "error", err)
		return nil
	}
	s := &socket{conn: conn}
	if !h.addSocket(s) {
		s.close(statusServiceRestart, "pexops is restarting")
		return nil
	}
	defer h.removeSocket(s)
	untrack := track(func() { s.close(statusPolicy, "access ended") })
	defer untrack()
	if view.watch != "" {
		release := h.Poller.Watch(view.watch)
		defer release()
	}
	h.serveSocket(c.Request().Context(), s, snaps, view)
	return nil
}

func (h *Handler) serveSocket(reqCtx context.Context, s *socket, snaps *snapshots, view wsView) {
	sub := h.Hub.Subscribe([]string{view.topic}, wsBuffer)
	defer sub.Close()
	ctx := s.conn.CloseRead(reqCtx)

	// Subscribe before reading the state, then skip every pushed message drawn from a state
	// the snapshot already includes: nothing is lost between the two and nothing applies twice.
	first, seen := snaps.messages(ctx, h, view.topic)
	for _, msg := range first {
		if !h.write(ctx, s, msg) {
			return
		}
	}
	ping := time.NewTicker(wsPingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			s.close(websocket.StatusNormalClosure, "")
			return
		case <-sub.Dropped():
			s.close(statusTryAgainLater, "too slow, resynchronising")
			return
		case msg := <-sub.Messages():
			v, data := unversion(msg)
			if v != 0 && v <= seen {
				continue
			}
			if !h.write(ctx, s, data) {
				return
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
			err := s.conn.Ping(pctx)
			cancel()
			if err != nil {
				// A peer that does not answer pings is gone; 1011 lets a page that is merely
				// slow reconnect.
				s.close(websocket.StatusInternalError, "no pong")
				return
			}
		}
	}
}

// snapshots caches the first messages of each topic for the current live state, so a
// thousand pages connecting at once (after a console restart, say) share one render and one
// copy of it instead of a thousand.
type snapshots struct {
	mu   sync.Mutex
	st   *live.State // the state the cache was drawn from; states are immutable
	snap *snapshot
	msgs map[string][][]byte
}

// messages returns topic's snapshot messages for the current state, and that state's version.
// The slices are shared by every socket: nobody may modify them.
func (c *snapshots) messages(ctx context.Context, h *Handler, topic string) ([][]byte, uint64) {
	st := h.Poller.State()
	msgs := c.cached(ctx, h, st, topic)
	return msgs, st.Version
}

func (c *snapshots) cached(ctx context.Context, h *Handler, st *live.State, topic string) [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st != st || c.msgs == nil {
		c.st, c.snap, c.msgs = st, nil, map[string][][]byte{}
	}
	if m, ok := c.msgs[topic]; ok {
		return m
	}
	if c.snap == nil {
		c.snap = newSnapshot(st)
	}
	status := renderAll(ctx, h.log, statusParts(c.snap.status(h.cfg.StaleAfter))...)
	var out [][]byte
	for _, m := range fullParts(c.snap, topic, h.Now(), nil).messages(ctx, h.log, topic, status) {
		out = append(out, m.Data)
	}
	if ctx.Err() == nil { // a render cut short by a closing socket is not kept
		c.msgs[topic] = out
	}
	return out
}

func (h *Handler) write(ctx context.Context, s *socket, msg []byte) bool {
	if len(msg) == 0 {
		return true
	}
	wctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
	defer cancel()
	if err := s.conn.Write(wctx, websocket.MessageText, msg); err != nil {
		// A page whose socket failed mid-write reconnects to a fresh snapshot.
		s.close(statusTryAgainLater, "write failed")
		return false
	}
	if h.Metrics != nil {
		h.Metrics.WebsocketSent(len(msg))
	}
	return true
}

func (h *Handler) addSocket(s *socket) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return false
	}
	h.sockets[s] = struct{}{}
	return true
}

func (h *Handler) removeSocket(s *socket) {
	h.mu.Lock()
	delete(h.sockets, s)
	h.mu.Unlock()
}

// checkOrigin refuses a browser upgrade from any origin but the console's own (scheme, host
// and port compared) or a configured one, before the upgrade (field report F08). A request
// without Origin is not from a browser page and still needs its session.
func (h *Handler) checkOrigin(r *http.Request) error {
	if h.originAllowed(r) {
		return nil
	}
	return errUser(http.StatusForbidden, "This page's origin may not open a live connection.")
}

// originHosts turns configured origins into the host patterns coder/websocket checks as well.
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}
