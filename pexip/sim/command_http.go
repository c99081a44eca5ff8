package sim

import (
	"fmt"
	"net/http"
	"strconv"
)

// routeCommand serves /api/admin/command/v1/<group>/[<command>/[schema/]].
func (s *Sim) routeCommand(w http.ResponseWriter, r *http.Request, segs []string) {
	if len(segs) == 0 || s.cat.commands[segs[0]] == nil {
		notFound(w)
		return
	}
	group := segs[0]
	if len(segs) == 1 {
		s.getOnly(w, r, func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, http.StatusOK, s.commandListing(group))
		})
		return
	}
	cmd := s.cat.commands[group][segs[1]]
	switch {
	case cmd == nil || len(segs) > 3:
		notFound(w)
	case len(segs) == 3 && segs[2] == "schema":
		s.getOnly(w, r, func(w http.ResponseWriter, _ *http.Request) { writeRaw(w, 200, cmd.schema) })
	case len(segs) == 3:
		notFound(w)
	case r.Method != http.MethodPost:
		methodNotAllowed(w, []string{"post"})
	default:
		s.runCommand(w, r, cmd)
	}
}

func (s *Sim) runCommand(w http.ResponseWriter, r *http.Request, cmd *command) {
	body, err := readBody(r)
	if err != nil {
		writeError(w, err)
		return
	}
	fields, files, verr := cmd.validate(body)
	if verr != nil {
		writeError(w, verr)
		return
	}
	if cmd.platform {
		status, out := s.platform.Command(cmd.group, cmd.name, fields)
		if out == nil {
			w.WriteHeader(status)
			return
		}
		writeJSON(w, status, out)
		return
	}
	status, out := s.platformCommand(r, cmd.name, fields, files)
	writeJSON(w, status, out)
}

// validate checks a command body against its schema and returns the fields as strings (the
// contract's form), files apart. A missing required field is
// {"<command>": {"<field>": ["This field is required."]}}.
func (c *command) validate(body map[string]any) (map[string]string, map[string][]byte, error) {
	fields := map[string]string{}
	files := map[string][]byte{}
	errs := fieldErrors{}
	for _, f := range c.fields {
		v, given := body[f.name]
		if data, ok := v.([]byte); ok {
			files[f.name] = data
			continue
		}
		str := commandString(v)
		if !given || v == nil || str == "" {
			if f.required {
				errs[f.name] = []string{"This field is required."}
			}
			continue
		}
		if msg := checkCommandValue(f, str); msg != "" {
			errs[f.name] = []string{msg}
			continue
		}
		fields[f.name] = str
	}
	if len(errs) > 0 {
		return nil, nil, &validationError{resource: c.name, errs: errs}
	}
	return fields, files, nil
}

func checkCommandValue(f *field, str string) string {
	switch f.typ {
	case tBool:
		if _, ok := boolWord(str); !ok {
			return fmt.Sprintf("'%s' value must be either True or False.", str)
		}
	case tInt:
		if _, err := strconv.Atoi(str); err != nil {
			return "Enter a whole number."
		}
	case tString:
		if f.maxLen > 0 && len([]rune(str)) > f.maxLen {
			return fmt.Sprintf("Ensure this value has at most %d characters (it has %d).",
				f.maxLen, len([]rune(str)))
		}
	}
	// Choices match case-insensitively: production clients send "RTMP" for rtmp.
	if f.choices != nil && f.typ != tBool && !hasChoice(f.choices, str, true) {
		return fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", str)
	}
	return ""
}

// commandString turns a JSON or form value into the string the platform contract takes.
func commandString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(t)
	case []any:
		if len(t) > 0 {
			return commandString(t[0])
		}
		return ""
	}
	return toString(v)
}
