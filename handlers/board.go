package handlers

import "github.com/labstack/echo/v4"

// boardRoutes registers this area's routes.
func (h *Handler) boardRoutes(e *echo.Echo) {}
