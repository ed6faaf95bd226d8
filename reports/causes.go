package reports

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	v1 "github.com/assayhq/assay/reports/v1"
)

// Cause is one reason behind FAIL, WARN and ERROR results: the rows that
// saw the same refusal from the target (same HTTP status, error code and
// error_description family), and the rows blocked by a positive control
// that failed with it (semantics.md §2, "one cause, one finding"). A
// result whose failure is its own (an attack accepted with a token) is a
// cause of one.
type Cause struct {
	// Text says what the target answered, in its own words: the control's
	// cause for blocked rows, or the refusal the rows saw.
	Text string
	// Control is the ID of the positive control whose failure blocked
	// rows of this cause, or "".
	Control string
	// Fails are the FAILs that stand: findings of their own, not listed
	// in the expected-failures file. Expected holds the expected ones.
	Fails, Expected []v1.Result
	// Warns are the WARNs, Errors the ERRORs that are not blocked.
	Warns, Errors []v1.Result
	// Blocked are the ERRORs whose row could not be judged because the
	// control failed; they sent nothing.
	Blocked []v1.Result
}

// Count is how many results the cause holds.
func (c Cause) Count() int {
	return len(c.Fails) + len(c.Expected) + len(c.Warns) + len(c.Errors) + len(c.Blocked)
}

// Stands reports whether the cause holds a FAIL that is not expected: a
// finding. Its ERRORs then follow from that FAIL (issue: a precondition row
// is ERROR because its own MUST row already FAILed).
func (c Cause) Stands() bool { return len(c.Fails) > 0 }

// Follows returns the ERRORs of the cause, blocked or not, that follow
// from its standing FAILs; nil when it has none.
func (c Cause) Follows() []v1.Result {
	if !c.Stands() {
		return nil
	}
	return append(append([]v1.Result(nil), c.Blocked...), c.Errors...)
}

// Causes groups the FAIL, WARN and ERROR results of r by cause, the
// causes with a standing FAIL first, then the largest; within a cause,
// results keep report order.
func Causes(r v1.Report) []Cause {
	byKey := map[string]*Cause{}
	var order []string
	keys := map[string]string{} // result key -> cause key, for blockedBy
	put := func(k string, res v1.Result) *Cause {
		c, ok := byKey[k]
		if !ok {
			c = &Cause{}
			byKey[k] = c
			order = append(order, k)
		}
		switch {
		case res.Outcome == v1.Fail && res.Expected:
			c.Expected = append(c.Expected, res)
		case res.Outcome == v1.Fail:
			c.Fails = append(c.Fails, res)
		case res.Outcome == v1.Warn:
			c.Warns = append(c.Warns, res)
		case res.BlockedBy != "":
			c.Blocked = append(c.Blocked, res)
		default:
			c.Errors = append(c.Errors, res)
		}
		return c
	}
	// Results with a cause of their own first, so that a blocked row finds
	// its control's cause.
	for _, res := range r.Results {
		if !problem(res) || res.BlockedBy != "" {
			continue
		}
		k, text := causeKey(res)
		keys[checkKey(res)] = k
		if c := put(k, res); c.Text == "" {
			c.Text = text
		}
	}
	for _, res := range r.Results {
		if !problem(res) || res.BlockedBy == "" {
			continue
		}
		k, ok := keys[res.BlockedBy]
		if !ok {
			// The control's own row is not in this report (--only): the
			// recorded cause is all there is.
			k = "cause\x00" + family(res.Cause)
		}
		c := put(k, res)
		if c.Control == "" {
			c.Control = res.BlockedBy
		}
		if res.Cause != "" && (c.Text == "" || !ok) {
			c.Text = res.Cause
		}
	}
	out := make([]Cause, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Stands() != out[j].Stands() {
			return out[i].Stands()
		}
		return out[i].Count() > out[j].Count()
	})
	return out
}

func problem(res v1.Result) bool {
	return res.Outcome == v1.Fail || res.Outcome == v1.Warn || res.Outcome == v1.Error
}

// causeKey is the grouping key of a result that is not blocked, and the
// text that names its cause. A refusal (an error response) groups by what
// the target said, so that rows refused for one reason are one cause. A
// FAIL or WARN the target answered otherwise (a token for an attack) is
// its own cause. An ERROR refused by the target groups like a FAIL; one
// without a refusal groups by its reason's family (the same transport
// failure everywhere).
func causeKey(res v1.Result) (key, text string) {
	if ex, ok := lastRefusal(res); ok {
		// An ERROR refused the same way as a FAIL is that FAIL's
		// consequence: a precondition the target refused as it refused the
		// MUST row (a key never refetched, say).
		t := refusalText(ex.Response)
		return "refusal\x00" + endpoint(ex.Request) + "\x00" + family(t), t
	}
	if res.Outcome == v1.Error {
		return "error\x00" + family(res.Reason), res.Reason
	}
	return "row\x00" + checkKey(res), res.Reason
}

// checkKey is the key a check has within a run (check.Check.Key): its ID,
// plus "/grant" on the grant carrier. blockedBy names controls so.
func checkKey(res v1.Result) string {
	if res.Carrier == "" || res.Carrier == "client" {
		return res.ID
	}
	return res.ID + "/" + res.Carrier
}

// plural is "1 FAIL" or "2 FAILs".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// lastRefusal is the last exchange the target answered with an error
// status: a positive row's own refusal comes before the contrast that was
// issued a token.
func lastRefusal(res v1.Result) (v1.Exchange, bool) {
	for i := len(res.Exchanges) - 1; i >= 0; i-- {
		if r := res.Exchanges[i].Response; r != nil && r.Status >= 400 {
			return res.Exchanges[i], true
		}
	}
	return v1.Exchange{}, false
}

// refusalText is "HTTP 401 invalid_client: <error_description>" for an
// OAuth error response (RFC 6749 §5.2), the status and the bearer
// challenge (RFC 6750 §3) or the start of the body otherwise: the words
// check.Refusal uses, so that a control's recorded cause and a row's
// exchange name the same cause.
func refusalText(resp *v1.Response) string {
	out := fmt.Sprintf("HTTP %d", resp.Status)
	var m map[string]any
	if json.Unmarshal([]byte(resp.Body), &m) == nil {
		if code, _ := m["error"].(string); code != "" {
			out += " " + oneLine(code)
			if desc, _ := m["error_description"].(string); desc != "" {
				out += ": " + oneLine(desc)
			}
			return out
		}
	}
	for k, vs := range resp.Header {
		if strings.EqualFold(k, "WWW-Authenticate") && len(vs) > 0 {
			return out + ": " + oneLine(strings.Join(vs, ", "))
		}
	}
	if body := oneLine(resp.Body); body != "" {
		if r := []rune(body); len(r) > 300 {
			body = string(r[:300]) + "…"
		}
		out += ": " + body
	}
	return out
}

// endpoint is the method and URL of a request without its query: refusals
// by different endpoints (the token endpoint, a resource server) are
// different causes even when their words are alike.
func endpoint(q v1.Request) string {
	u := q.URL
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return q.Method + " " + u
}

// family folds the parts of a message that change from request to request
// (numbers, ids, quoted values, long tokens, URLs) so that one cause worded
// with different values is one family: "jti 4f2a… already used at 12:00:01"
// and "jti 9c1b… already used at 12:00:02" are one.
func family(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(strings.ToLower(s)) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(foldWord(w))
	}
	return b.String()
}

func foldWord(w string) string {
	core := strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '_' && r != '-' })
	switch {
	case core == "":
		return w
	case strings.Contains(core, "://"), len(core) > 24,
		strings.ContainsAny(core, "0123456789"),
		strings.ContainsAny(w, `"'`+"`"):
		return "…"
	}
	return core
}

// causeRows lists result keys, at most n, and how many more there are.
func causeRows(rs []v1.Result, n int) string {
	keys := make([]string, 0, min(len(rs), n))
	for i, res := range rs {
		if i == n {
			break
		}
		keys = append(keys, checkKey(res))
	}
	s := strings.Join(keys, ", ")
	if len(rs) > n {
		s += fmt.Sprintf(" and %d more", len(rs)-n)
	}
	return s
}
