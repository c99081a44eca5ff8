package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/views"
)

// boardRoutes are the wall board and its socket, reachable with a board token (?token=) or a
// session of any role, and the admins' pages that create and revoke board tokens. The request
// log records paths without queries, so a token never lands in the log.
func (h *Handler) boardRoutes(e *echo.Echo) {
	guard := h.Boards.Middleware(h.Sessions)
	e.GET("/board", h.handleBoard, guard)
	e.GET("/board/ws", h.boardWSHandler(&snapshots{}), guard)

	adm := e.Group("/boards", h.Sessions.RequireSession(), auth.CSRF(), auth.RequireRole(auth.RoleAdmin))
	adm.GET("", h.handleBoardsList)
	adm.POST("", h.handleBoardCreate)
	adm.POST("/:id/revoke", h.handleBoardRevoke)
}

// handleBoard is the full-screen wall board.
func (h *Handler) handleBoard(c echo.Context) error {
	snap := newSnapshot(h.Poller.State())
	ws := "/board/ws"
	if _, ok := auth.BoardFromContext(c); ok {
		ws += "?" + url.Values{"token": {c.QueryParam("token")}}.Encode()
	}
	return ok(c, views.BoardPage(views.BoardProps{
		Asset:     h.Assets.Path,
		ServerNow: h.Now(),
		Status:    snap.status(h.cfg.StaleAfter),
		Board:     snap.board(),
		WSPath:    ws,
		Now:       h.Now(),
	}))
}

// boardWSHandler is the board's socket. One opened with a board token is closed when the
// token is revoked; one opened with a session when the session ends.
func (h *Handler) boardWSHandler(snaps *snapshots) echo.HandlerFunc {
	view := wsView{topic: topicBoard}
	return func(c echo.Context) error {
		if tok, ok := auth.BoardFromContext(c); ok {
			return h.upgrade(c, snaps, view, func(closeFn func()) func() { return h.Boards.Track(tok.ID, closeFn) })
		}
		sess, ok := auth.FromContext(c)
		if !ok {
			return errUser(http.StatusUnauthorized, "Sign in first, or open the board with its link.")
		}
		return h.upgrade(c, snaps, view, func(closeFn func()) func() { return h.Sessions.Track(sess.ID, closeFn) })
	}
}

// handleBoardsList lists the board tokens.
func (h *Handler) handleBoardsList(c echo.Context) error {
	return h.boardsPage(c, http.StatusOK, views.BoardsProps{})
}

func (h *Handler) boardsPage(c echo.Context, status int, p views.BoardsProps) error {
	toks, err := h.Boards.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, t := range toks {
		p.Tokens = append(p.Tokens, views.BoardTokenView{ID: strconv.FormatInt(t.ID, 10), Label: t.Label,
			CreatedBy: t.CreatedBy, Created: t.Created, LastUsed: t.LastUsed})
	}
	p.Chrome = h.chrome(c, "boards")
	p.Chrome.Title = "Wall boards"
	return render(c, status, views.BoardsPage(p))
}

// handleBoardCreate makes a board token and shows its link, this once.
func (h *Handler) handleBoardCreate(c echo.Context) error {
	label := strings.TrimSpace(c.FormValue("label"))
	if label == "" || utf8.RuneCountInString(label) > 100 {
		return h.boardsPage(c, http.StatusUnprocessableEntity, views.BoardsProps{Label: c.FormValue("label"),
			LabelError: "Give the board a label of 1 to 100 characters, such as where the screen hangs."})
	}
	by := ""
	if s, ok := auth.FromContext(c); ok {
		by = s.Username
	}
	raw, tok, err := h.Boards.Create(c.Request().Context(), label, by)
	e := h.auditEntry(c, "board/create", err)
	e.Message = strings.TrimSuffix("board "+strconv.Quote(label)+"; "+e.Message, "; ")
	if aerr := h.Audit.Record(c.Request().Context(), e); aerr != nil {
		h.log.Error("audit record failed", "error", aerr)
	}
	if err != nil {
		return err
	}
	link := c.Scheme() + "://" + c.Request().Host + "/board?" + url.Values{"token": {raw}}.Encode()
	h.log.Info("board token created", "board_id", tok.ID, "user", by)
	return h.boardsPage(c, http.StatusOK, views.BoardsProps{NewLink: link, NewLabel: tok.Label})
}

// handleBoardRevoke deletes a board token; the screens using it are disconnected.
func (h *Handler) handleBoardRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return errUser(http.StatusBadRequest, "That is not a board link's number.")
	}
	err = h.Boards.Revoke(c.Request().Context(), id)
	e := h.auditEntry(c, "board/revoke", err)
	e.Message = strings.TrimSuffix("board "+strconv.FormatInt(id, 10)+"; "+e.Message, "; ")
	if aerr := h.Audit.Record(c.Request().Context(), e); aerr != nil {
		h.log.Error("audit record failed", "error", aerr)
	}
	if errors.Is(err, auth.ErrBadBoardToken) {
		return errUser(http.StatusNotFound, "There is no such board link: it may have been revoked already.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/boards")
}
