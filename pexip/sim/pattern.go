package sim

import (
	"errors"
	"regexp"
	"regexp/syntax"
)

// isPattern reports whether f holds a regular expression a node compiles: a Call Routing
// Rule's match_string and a Virtual Reception's match strings.
func isPattern(t *table, f *field) bool {
	switch t.res.name {
	case "gateway_routing_rule":
		return f.name == "match_string"
	case "conference":
		return f.name == "match_string" || f.name == "post_match_string"
	}
	return false
}

// checkPattern returns a field error for a regular expression no node could compile, or "".
//
// NOTE: Pexip compiles these with Python's re, not Go's RE2. RE2 refuses what Python
// accepts (look-ahead and look-behind such as ^(?!sip:), back-references, \Z, repeats over
// 1000, possessive quantifiers), so only errors both engines share are refused: unbalanced
// parentheses or brackets, a trailing backslash, a reversed character range and a repeat
// with nothing to repeat. The parentheses are counted here as well, since RE2 stops at the
// first construct it does not know and would miss a later unbalanced one.
func checkPattern(expr string) string {
	const msg = "Enter a valid regular expression: "
	if !balanced(expr) {
		return msg + "unbalanced parentheses or brackets."
	}
	_, err := regexp.Compile(expr)
	var se *syntax.Error
	if err == nil || !errors.As(err, &se) {
		return ""
	}
	switch se.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
		syntax.ErrTrailingBackslash, syntax.ErrInvalidCharRange, syntax.ErrMissingRepeatArgument:
		return msg + se.Code.String() + "."
	}
	return ""
}

// balanced reports whether the groups of expr open and close in pairs, skipping escaped
// characters and the insides of character classes ("[(]" holds no group).
func balanced(expr string) bool {
	depth := 0
	for i := 0; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case '[':
			end := classEnd(expr, i)
			if end < 0 {
				return false
			}
			i = end
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return false
			}
			depth--
		}
	}
	return depth == 0
}

// classEnd returns the index of the ']' closing the class opened at expr[start], or -1. A
// ']' first in the class (after an optional '^') is a literal, as in both engines.
func classEnd(expr string, start int) int {
	i := start + 1
	if i < len(expr) && expr[i] == '^' {
		i++
	}
	if i < len(expr) && expr[i] == ']' {
		i++
	}
	for ; i < len(expr); i++ {
		switch expr[i] {
		case '\\':
			i++
		case ']':
			return i
		}
	}
	return -1
}
