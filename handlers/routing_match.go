package handlers

import (
	"regexp"
	"strings"

	"pexops/views"
)

// testCall is the call the match test imagines.
type testCall struct {
	alias     string
	direction string // incoming or outgoing
	protocol  string // sip, h323, mssip, webrtc
}

// maxTestedRules bounds the rules one test evaluates.
const maxTestedRules = 500

// evaluateRules walks rules (sorted by priority) as Pexip does: the first enabled rule that
// applies to the call and whose match string matches the whole alias wins, and its replace
// string rewrites the alias.
//
// NOTE: Pexip evaluates match strings with Python's re module; pexops uses Go's RE2, which
// reads the common syntax the same way but not look-around or back-references. A rule pexops
// cannot read is marked as such and skipped, so the verdict for later rules may differ from
// Pexip's. Matching is case-sensitive, and a rule without match_string_full is matched
// against the alias without its URI scheme and parameters.
func evaluateRules(rules []map[string]any, call testCall, t views.RouteTest) views.RouteTest {
	t.Ran = true
	if len(rules) > maxTestedRules {
		rules, t.Truncated = rules[:maxTestedRules], true
	}
	for _, obj := range rules {
		r := ruleRowOf(obj)
		step := views.RouteStep{RuleID: r.ID, Priority: r.Priority, Name: r.Name}
		if t.Winner != nil {
			step.Verdict, step.Reason = "not-reached", "not reached: an earlier rule matched"
			t.Steps = append(t.Steps, step)
			continue
		}
		step.Verdict, step.Reason, step.Rewritten = judgeRule(obj, r, call)
		t.Steps = append(t.Steps, step)
		if step.Verdict == "match" {
			w := step
			t.Winner = &w
		}
	}
	return t
}

// judgeRule is one rule's verdict on call.
func judgeRule(obj map[string]any, r views.RuleRow, call testCall) (verdict, reason, rewritten string) {
	flag := func(k string) bool { b, _ := obj[k].(bool); return b }
	switch {
	case !r.Enabled:
		return "disabled", "disabled", ""
	case call.direction == "incoming" && !r.Incoming:
		return "not-applicable", "does not apply to incoming calls", ""
	case call.direction == "outgoing" && !r.Outgoing:
		return "not-applicable", "does not apply to outgoing calls", ""
	case call.direction == "incoming" && !flag("match_incoming_"+call.protocol):
		return "not-applicable", "does not apply to incoming " + call.protocol + " calls", ""
	}
	re, err := regexp.Compile(`^(?:` + r.MatchString + `)$`)
	if err != nil {
		return "unsupported", "pexops cannot evaluate this match string; Pexip may", ""
	}
	alias := call.alias
	if !flag("match_string_full") {
		alias = bareAlias(alias)
	}
	m := re.FindStringSubmatchIndex(alias)
	if m == nil {
		return "no-match", "does not match", ""
	}
	if r.Replace == "" {
		return "match", "matches", alias
	}
	out := re.ExpandString(nil, goTemplate(r.Replace), alias, m)
	return "match", "matches", string(out)
}

// bareAlias drops a URI scheme and parameters: "sip:alice@example.com;transport=tls" ->
// "alice@example.com".
func bareAlias(a string) string {
	for _, scheme := range []string{"sips:", "sip:", "h323:", "tel:"} {
		if len(a) > len(scheme) && strings.EqualFold(a[:len(scheme)], scheme) {
			a = a[len(scheme):]
			break
		}
	}
	if i := strings.IndexByte(a, ';'); i >= 0 {
		a = a[:i]
	}
	return a
}

// goTemplate turns a Python replacement (\1, \g<name>) into Go's ($1, ${name}); a literal $
// is escaped.
func goTemplate(py string) string {
	var b strings.Builder
	for i := 0; i < len(py); i++ {
		ch := py[i]
		switch {
		case ch == '$':
			b.WriteString("$$")
		case ch == '\\' && i+1 < len(py) && py[i+1] >= '0' && py[i+1] <= '9':
			j := i + 1
			for j < len(py) && j < i+3 && py[j] >= '0' && py[j] <= '9' {
				j++
			}
			b.WriteString("${" + py[i+1:j] + "}")
			i = j - 1
		case ch == '\\' && strings.HasPrefix(py[i:], `\g<`) && strings.IndexByte(py[i:], '>') > 0:
			end := i + strings.IndexByte(py[i:], '>')
			b.WriteString("${" + py[i+3:end] + "}")
			i = end
		case ch == '\\' && i+1 < len(py) && py[i+1] == '\\':
			b.WriteByte('\\')
			i++
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
