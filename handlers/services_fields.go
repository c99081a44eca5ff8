package handlers

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"pexops/pexip"
	"pexops/views"
)

// fieldKind says how a configuration field is typed, checked and sent.
type fieldKind int

const (
	kText     fieldKind = iota
	kTextarea           // free text over several lines
	kEmail
	kSelect   // choices from the schema's valid_choices
	kBool     // a checkbox
	kInt      // a whole number; "" is null
	kPIN      // 4-20 digits, optionally ending in #
	kRegex    // a regular expression (Virtual Reception, Call Routing Rule)
	kRelated  // a to-one relation sent as a URI; "" is null
	kAliases  // a service's aliases, one a line (kept in conference_alias objects)
	kReadonly // shown, never sent
)

// fieldSpec is one field of a configuration form: how it is shown, checked and written.
type fieldSpec struct {
	name, label, help, section string
	kind                       fieldKind
	null                       bool     // "" is sent as null (nullable selects and numbers)
	maxLen                     int      // Pexip's maximum length, in characters
	types                      string   // service types the field applies to; "" = all
	fallback                   []string // choices when the schema lists none
	related                    string   // resource of a kRelated field's choices
	secret                     bool     // shown only to accounts that may configure (kPIN always)
}

// maxAliasesPerService bounds the aliases one form or CSV row may give a service.
const maxAliasesPerService = 100

// formValues are a form's values as text, by field name; checkboxes are "true" or "false".
type formValues map[string]string

// formErrors are messages by field name; "__all__" for those naming no field.
type formErrors map[string][]string

func (e formErrors) add(field, msg string) { e[field] = append(e[field], msg) }

// valuesFromObject turns an object as Pexip sent it into form text.
func valuesFromObject(specs []fieldSpec, obj map[string]any) formValues {
	out := formValues{}
	for _, s := range specs {
		out[s.name] = textOf(s, obj[s.name])
	}
	return out
}

// textOf is one field's value as form text: numbers without a fraction, relations as URIs,
// aliases one a line.
func textOf(s fieldSpec, v any) string {
	switch s.kind {
	case kAliases:
		return strings.Join(aliasNames(v), "\n")
	case kRelated:
		return relatedURI(v, s.related)
	}
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		return strconv.FormatBool(t)
	case float64:
		if t == math.Trunc(t) {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// relatedURI reads a relation written as a URI or as a nested object (ivr_theme on a
// current node) as its URI.
func relatedURI(v any, resource string) string {
	switch t := v.(type) {
	case string:
		if t == "None" {
			return ""
		}
		return t
	case map[string]any:
		if u, ok := t["resource_uri"].(string); ok && u != "" {
			return u
		}
		if id := textOf(fieldSpec{}, t["id"]); id != "" && resource != "" {
			return "/api/admin/" + resource + "/" + id + "/"
		}
	}
	return ""
}

// aliasNames returns the alias strings of a service's nested alias objects.
func aliasNames(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			if a, ok := m["alias"].(string); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// valuesFromRequest reads the submitted form over base: a field the form did not carry keeps
// its value from base, so a partial form (or a field the page did not show) changes nothing.
// A field posted as base has it is base's value exactly, never a normalised copy: a field
// the operator did not edit is never sent. Edited text is kept as typed, except where Pexip
// would refuse surrounding spaces (PINs, numbers, e-mail addresses).
func valuesFromRequest(c echo.Context, specs []fieldSpec, base formValues) formValues {
	form, _ := c.FormParams()
	out := formValues{}
	for k, v := range base {
		out[k] = v
	}
	for _, s := range specs {
		vals, given := form[s.name]
		if !given || len(vals) == 0 || s.kind == kReadonly {
			continue
		}
		raw := vals[len(vals)-1]
		if old, ok := base[s.name]; ok && s.kind != kBool && strings.ReplaceAll(raw, "\r\n", "\n") == old {
			continue
		}
		switch s.kind {
		case kBool:
			// A checkbox posts a hidden "false" and, when ticked, "true" after it.
			out[s.name] = strconv.FormatBool(contains(vals, "true"))
		case kEmail, kPIN, kInt:
			out[s.name] = strings.TrimSpace(raw)
		case kAliases:
			out[s.name] = strings.Join(keepExisting(aliasList(raw), strings.Split(base[s.name], "\n")), "\n")
		case kTextarea:
			out[s.name] = lines(raw)
		default:
			out[s.name] = raw
		}
	}
	return out
}

// keepExisting replaces each typed alias by the existing alias it is (spaces around it
// aside), so an alias nobody edited is compared, and kept, exactly as Pexip holds it.
func keepExisting(typed, existing []string) []string {
	byTrim := map[string]string{}
	for _, a := range existing {
		if t := strings.TrimSpace(a); t != "" {
			if _, dup := byTrim[t]; !dup {
				byTrim[t] = a
			}
		}
	}
	out := make([]string, 0, len(typed))
	for _, a := range typed {
		if e, ok := byTrim[a]; ok {
			a = e
		}
		out = append(out, a)
	}
	return out
}

// lines normalises text typed one item a line: browsers send CRLF, and blank lines and
// surrounding spaces carry no meaning.
func lines(text string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// aliasList splits aliases typed one a line (and a CSV cell, which holds them the same
// way): each line is trimmed, blank lines and repeats are dropped. Nothing else separates
// aliases: an alias may hold spaces, semicolons, commas and quotes.
func aliasList(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		a := strings.TrimSpace(line)
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

var pinPattern = regexp.MustCompile(`^[0-9]{4,20}#?$`)

// checkValues applies the console's own checks. Each one agrees with Pexip's rule and never
// refuses what Pexip accepts; a regular expression Go cannot read but Python might is a
// warning, not an error.
func checkValues(specs []fieldSpec, v formValues) (formErrors, map[string]string) {
	errs, warns := formErrors{}, map[string]string{}
	for _, s := range specs {
		val := v[s.name]
		if s.maxLen > 0 && utf8.RuneCountInString(val) > s.maxLen && s.kind != kAliases {
			errs.add(s.name, fmt.Sprintf("At most %d characters (this has %d).", s.maxLen, utf8.RuneCountInString(val)))
			continue
		}
		switch s.kind {
		case kPIN:
			if val != "" && !pinPattern.MatchString(val) {
				errs.add(s.name, "A PIN is 4 to 20 digits, optionally followed by #.")
			}
		case kInt:
			if _, given := v[s.name]; given {
				checkInt(s, val, errs)
			}
		case kRegex:
			msg, blocking := checkRegex(val)
			if blocking {
				errs.add(s.name, msg)
			} else if msg != "" {
				warns[s.name] = msg
			}
		case kAliases:
			if n := len(aliasList(val)); n > maxAliasesPerService {
				errs.add(s.name, fmt.Sprintf("At most %d aliases per service (this has %d).", maxAliasesPerService, n))
			}
			for _, a := range aliasList(val) {
				if s.maxLen > 0 && utf8.RuneCountInString(a) > s.maxLen {
					errs.add(s.name, fmt.Sprintf("The alias %q is longer than %d characters.", a, s.maxLen))
				}
			}
		}
	}
	return errs, warns
}

// checkInt checks a whole-number field the form carries: a nullable one may be left empty,
// any other is required (Pexip refuses null for it).
func checkInt(s fieldSpec, val string, errs formErrors) {
	_, err := strconv.Atoi(val)
	switch {
	case val == "" && !s.null:
		errs.add(s.name, "Enter a whole number; this field is required.")
	case val != "" && err != nil && s.null:
		errs.add(s.name, "Enter a whole number, or leave it empty.")
	case val != "" && err != nil:
		errs.add(s.name, "Enter a whole number.")
	}
}

// checkRegex judges a match string. Errors that Python's re module reports too (an
// unbalanced parenthesis or bracket, a repeat of nothing) block the save; anything else Go's
// RE2 refuses (look-around, back-references) is only a warning, since Pexip may accept it.
func checkRegex(pattern string) (msg string, blocking bool) {
	if pattern == "" {
		return "", false
	}
	_, err := syntax.Parse(pattern, syntax.Perl)
	if err == nil {
		return "", false
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		switch se.Code {
		case syntax.ErrMissingParen, syntax.ErrUnexpectedParen:
			return "The parentheses of this regular expression do not balance.", true
		case syntax.ErrMissingBracket:
			return "A [ of this regular expression is never closed.", true
		case syntax.ErrMissingRepeatArgument:
			return "A *, + or ? in this regular expression repeats nothing.", true
		}
	}
	return "pexops cannot check this regular expression (it may use syntax such as look-ahead that Go does not read); Pexip will judge it when you save.", false
}

// wireValue turns form text into what the API takes for the field.
func wireValue(s fieldSpec, text string) any {
	switch s.kind {
	case kBool:
		return text == "true"
	case kInt:
		if n, err := strconv.Atoi(text); err == nil {
			return n
		}
		return nil
	case kRelated:
		if text == "" {
			return nil
		}
		return text
	}
	if s.null && text == "" {
		return nil
	}
	return text
}

// changedFields lists the fields whose value differs between old and new, in form order;
// aliases and read-only fields are not object fields and are left out.
func changedFields(specs []fieldSpec, old, new formValues) []fieldSpec {
	var out []fieldSpec
	for _, s := range specs {
		if s.kind == kAliases || s.kind == kReadonly {
			continue
		}
		if old[s.name] != new[s.name] {
			out = append(out, s)
		}
	}
	return out
}

// patchBody is exactly the changed fields, false and empty values included (F04).
func patchBody(changed []fieldSpec, v formValues) map[string]any {
	body := make(map[string]any, len(changed))
	for _, s := range changed {
		body[s.name] = wireValue(s, v[s.name])
	}
	return body
}

// createBody is every field of the form that carries a value; nullable fields left empty
// are left out so that Pexip applies its default.
func createBody(specs []fieldSpec, v formValues) map[string]any {
	body := map[string]any{}
	for _, s := range specs {
		text, ok := v[s.name]
		if !ok || s.kind == kAliases || s.kind == kReadonly {
			continue
		}
		if text == "" && (s.null || s.kind == kRelated || s.kind == kInt) {
			continue
		}
		body[s.name] = wireValue(s, text)
	}
	return body
}

// displayValue is a value as the preview shows it: PINs are never echoed.
func displayValue(s fieldSpec, text string) string {
	switch {
	case s.kind == kPIN && text != "":
		return "set (" + strconv.Itoa(len(text)) + " characters)"
	case s.kind == kPIN:
		return "none"
	case s.kind == kBool && text == "true":
		return "yes"
	case s.kind == kBool:
		return "no"
	case text == "":
		return "(empty)"
	}
	return text
}

// formFields builds the view of specs with values, errors, warnings and choices.
func formFields(specs []fieldSpec, v formValues, errs formErrors, warns map[string]string,
	schema *pexip.Schema, related map[string][]views.Choice) []views.FormField {
	out := make([]views.FormField, 0, len(specs))
	for _, s := range specs {
		f := views.FormField{Name: s.name, Label: s.label, Help: s.help, Section: s.section,
			Value: v[s.name], Errors: errs[s.name], Warning: warns[s.name], Types: s.types,
			Kind: kindName(s.kind)}
		switch s.kind {
		case kSelect:
			f.Choices = selectChoices(s, choicesOf(schema, s.name, s.fallback), v[s.name])
		case kRelated:
			f.Kind = "select"
			f.Choices = withCurrent(append([]views.Choice{{Value: "", Label: "— none —"}}, related[s.name]...), v[s.name])
		}
		out = append(out, f)
	}
	return out
}

// hideSecrets shows PINs and other secret fields of a read-only form as "set" or "not set":
// only accounts that may configure see their values. fields are formFields(specs, ...).
func hideSecrets(specs []fieldSpec, fields []views.FormField) {
	for i, s := range specs {
		if i >= len(fields) || (s.kind != kPIN && !s.secret) {
			continue
		}
		state := "not set"
		if fields[i].Value != "" {
			state = "set"
		}
		fields[i].Kind, fields[i].Value = "readonly", state
	}
}

func kindName(k fieldKind) string {
	switch k {
	case kTextarea:
		return "textarea"
	case kEmail:
		return "email"
	case kSelect:
		return "select"
	case kBool:
		return "checkbox"
	case kInt:
		return "number"
	case kPIN:
		return "pin"
	case kAliases:
		return "aliases"
	case kReadonly:
		return "readonly"
	}
	return "text"
}

// selectChoices labels the choices; a nullable field gets an empty "default" option, and a
// current value the schema does not list is kept so that saving never changes it silently.
func selectChoices(s fieldSpec, values []string, current string) []views.Choice {
	var out []views.Choice
	if s.null {
		out = append(out, views.Choice{Value: "", Label: "— default —"})
	}
	for _, v := range values {
		out = append(out, views.Choice{Value: v, Label: choiceLabel(s.name, v)})
	}
	return withCurrent(out, current)
}

func withCurrent(choices []views.Choice, current string) []views.Choice {
	for _, c := range choices {
		if c.Value == current {
			return choices
		}
	}
	return append(choices, views.Choice{Value: current, Label: current + " (current)"})
}

// choiceLabel makes a wire value readable: "one_main_seven_pips" -> "one main seven pips".
func choiceLabel(field, v string) string {
	if field == "service_type" {
		return views.ServiceTypeName(v)
	}
	return strings.ReplaceAll(v, "_", " ")
}

// errorsForFields maps Pexip's field errors onto the form: an unknown field's messages go
// to the form-wide list so that none is lost.
func errorsForFields(specs []fieldSpec, fields map[string][]string) (formErrors, []string) {
	known := map[string]bool{}
	for _, s := range specs {
		known[s.name] = true
	}
	errs := formErrors{}
	var general []string
	for name, msgs := range fields {
		switch {
		case known[name]:
			errs[name] = append(errs[name], msgs...)
		case name == "alias" && known["aliases"]:
			errs["aliases"] = append(errs["aliases"], msgs...)
		case name == "__all__":
			general = append(general, msgs...)
		default:
			for _, m := range msgs {
				general = append(general, name+": "+m)
			}
		}
	}
	return errs, general
}

// conflictMessage explains a save refused by changedSince.
const conflictMessage = "This changed in Pexip after you opened the form (someone else, or another tab). " +
	"Nothing was saved. The form keeps what you typed; check the changes below against the current version, then save again."
