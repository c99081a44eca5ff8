package handlers

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"maps"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"pexops/auth"
	"pexops/pexip"
	"pexops/views"
)

// userError is an error whose message is written for the operator and safe to show.
type userError struct {
	status int
	msg    string
}

func (e *userError) Error() string { return e.msg }

// errUser returns an error the error handler shows as it is, with the given status.
func errUser(status int, msg string) error { return &userError{status: status, msg: msg} }

// classify maps an error to a status, a heading and an operator-readable message. Upstream
// bodies and Go error strings never reach the browser: the log has them.
func classify(err error) (status int, heading, msg string) {
	var ue *userError
	var he *echo.HTTPError
	var ae *pexip.APIError
	switch {
	case errors.Is(err, auth.ErrCSRF):
		return http.StatusForbidden, "Session expired", auth.CSRFMessage + "."
	case errors.As(err, &ue):
		return ue.status, http.StatusText(ue.status), ue.msg
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "Not found", "There is no such page in pexops."
		case http.StatusMethodNotAllowed:
			return he.Code, "Not allowed", "That request method is not allowed here."
		case http.StatusForbidden:
			return he.Code, "Not allowed", "Your account's role does not allow this."
		case http.StatusRequestEntityTooLarge:
			return he.Code, "Too large", "That upload is larger than pexops accepts (" + maxBody + ")."
		}
		if he.Code < 500 {
			return he.Code, http.StatusText(he.Code), "The request was not understood."
		}
	case errors.Is(err, pexip.ErrNotFound):
		return http.StatusNotFound, "Not found", "Pexip has no such object: it may have been deleted or the call may have ended."
	case errors.Is(err, pexip.ErrUnauthorized):
		return http.StatusBadGateway, "Pexip refused pexops", "The Management Node refused pexops' credentials. Check the service account's password and role."
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "Pexip did not answer", "The Management Node did not answer in time. Nothing is known about the request's effect; check before trying again."
	case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
		return http.StatusServiceUnavailable, "Pexip is busy", "The Management Node asked pexops to slow down. Try again in a moment."
	case errors.As(err, &ae) && ae.Status >= 500:
		return http.StatusBadGateway, "Pexip failed", "The Management Node answered with an error (HTTP " + itoa(ae.Status) + ")."
	case errors.As(err, &ae) && ae.Status >= 400:
		// Pexip judged the request and said no: its reason is the operator's to read.
		return http.StatusUnprocessableEntity, "Pexip refused", "Pexip refused the request: " + apiReason(ae)
	case isCertificateError(err):
		return http.StatusBadGateway, "Pexip not trusted", "pexops does not trust the Management Node's TLS certificate. Check -pexip-ca-file, or whether the node's certificate changed."
	case isNetworkError(err):
		return http.StatusBadGateway, "Pexip unreachable", "pexops cannot reach the Management Node."
	}
	return http.StatusInternalServerError, "Something went wrong", "pexops hit an internal error. It has been logged."
}

// apiReason is the first thing Pexip said about a refused request: a field error, or its message.
func apiReason(ae *pexip.APIError) string {
	for _, field := range slices.Sorted(maps.Keys(ae.Fields)) {
		if msgs := ae.Fields[field]; len(msgs) > 0 {
			if field == "__all__" {
				return msgs[0]
			}
			return field + ": " + msgs[0]
		}
	}
	return firstNonEmpty(ae.Message, "HTTP "+itoa(ae.Status))
}

func isCertificateError(err error) bool {
	var cve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cve) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

func isNetworkError(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne)
}

// handleError is Echo's error handler: one place that logs and renders every failure, as a
// page for a navigation and as a fragment for an htmx request.
func (h *Handler) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, heading, msg := classify(err)
	if status == http.StatusGatewayTimeout && c.Request().Method == http.MethodGet {
		msg = "The Management Node did not answer in time. Try again in a moment."
	}
	attrs := []any{"method", c.Request().Method, "path", c.Request().URL.Path, "status", status, "error", err}
	switch {
	case status >= 500:
		h.log.Error("request failed", attrs...)
	default:
		h.log.Info("request refused", attrs...)
	}

	props := views.ErrorProps{Chrome: h.titled(c, "", heading), Status: status, Heading: heading, Message: msg}
	var renderErr error
	if isHTMX(c) {
		renderErr = render(c, status, views.ErrorFragment(props))
	} else {
		renderErr = render(c, status, views.ErrorPage(props))
	}
	if renderErr != nil {
		h.log.Error("render error page", "error", renderErr)
	}
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }
