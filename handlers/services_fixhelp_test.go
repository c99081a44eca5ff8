package handlers

import "time"

// setReadBudget shortens the deadline of one page's upstream reads, so the tests of a hung
// node take a fraction of a second.
func setReadBudget(h *Handler, d time.Duration) { h.svc.readBudget = d }
