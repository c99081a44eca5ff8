package auth

import "fmt"

// Role is what an account may do. Roles are ordered: each one allows everything the roles
// below it allow.
type Role int

// The roles, lowest first. The zero value is no role at all and allows nothing.
const (
	RoleNone     Role = iota
	RoleViewer        // watches the live views and the board
	RoleOperator      // also moderates: mutes, disconnects, dials
	RoleAdmin         // also changes configuration and manages board tokens
)

// ParseRole returns the role spelled s ("viewer", "operator" or "admin").
func ParseRole(s string) (Role, error) {
	switch s {
	case "viewer":
		return RoleViewer, nil
	case "operator":
		return RoleOperator, nil
	case "admin":
		return RoleAdmin, nil
	}
	return RoleNone, fmt.Errorf("unknown role %q (want viewer, operator or admin)", s)
}

// String returns the role's name as written in the accounts file.
func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleOperator:
		return "operator"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// Allows reports whether r is want or a higher role. RoleNone allows nothing, not even RoleNone.
func (r Role) Allows(want Role) bool {
	return r > RoleNone && r >= want
}
