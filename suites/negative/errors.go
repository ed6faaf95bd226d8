package negative

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// hostile is attacker text that must not come back verbatim in an error:
// a quote, a backslash, markup, a non-ASCII letter and CR LF (RFC 6749 §5.2
// limits error_description to %x20-21 / %x23-5B / %x5D-7E).
const hostile = "x\"\\<script>é\r\nSet-Cookie: a=b"

// errorAttacks is catalog B.9: what the error channel gives away.
func errorAttacks() []check.Row {
	errCite := cite("RFC6749-5.2")
	return []check.Row{
		{Check: check.Check{ID: "B-ERR-01.1", Title: "keeps a hostile kid out of error_description",
			Cite: errCite, Defect: defect.ReflectInput},
			// kid is a hint (RFC 7515 §4.1.4): a server that tries the
			// client's keys accepts, and has nothing to reflect.
			Want: expect.Everywhere(expect.RejectOrIssue{Reject: expect.RejectClient, Why: "the server treats kid as a hint and tried the client's keys, so there was no error to reflect it in"}),
			Send: check.Mutate(assertion.Header("kid", hostile))},
		{Check: check.Check{ID: "B-ERR-01.2", Title: "keeps a hostile iss out of error_description",
			Cite: errCite, Defect: defect.ReflectInput},
			Send: check.Mutate(assertion.Claim("iss", hostile), assertion.Claim("sub", hostile))},
		{Check: check.Check{ID: "B-ERR-01.3", Title: "keeps a hostile typ out of error_description",
			Cite: errCite, Defect: defect.ReflectInput},
			Want: expect.Everywhere(typIgnored(expect.RejectClient)),
			Send: check.Mutate(assertion.Header("typ", hostile))},
		{Check: check.Check{ID: "B-ERR-02", Title: "answers null, true, false, 0 and a string in every member with a clean error (jwt_tool forced errors)",
			Cite: cite("RFC6749-5.2", "RFC7523-3.2"), Defect: defect.ErrorStatus500},
			Send: forcedErrors},
		{Check: check.Check{ID: "B-ERR-03", Title: "answers an unknown client exactly as a known client with a bad signature",
			Cite: cite("RFC6749-5.2"), Defect: defect.UnknownClientInvalidGrant},
			Send: enumeration},
	}
}

// typIgnored accepts a token as well as a clean rejection: RFC 7515
// §4.1.9 leaves typ to the application, so a server that does not read
// typ accepts any value and has nothing to reflect. Whether a wrong typ
// should be refused is A-CA-23's and B-HDR-07's question, at their level.
func typIgnored(r expect.Reject) expect.RejectOrIssue {
	return expect.RejectOrIssue{Reject: r, Why: "the server does not read typ, so there was no error to reflect it in"}
}

// forcedErrors substitutes each value in each header member and claim and
// returns the first answer that breaks REJ-C, or the last one. Values that
// are legitimately valid (nbf or iat of 0, a string jti) are skipped, and a
// typ of any value may be accepted (typIgnored).
func forcedErrors(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
	values := []any{nil, true, false, 0, "jwt_tool"}
	valid := map[string]any{"nbf": 0, "iat": 0, "jti": "jwt_tool"}
	var last *client.Transcript
	for _, m := range []struct {
		name   string
		header bool
	}{{"alg", true}, {"kid", true}, {"typ", true}, {"iss", false}, {"sub", false}, {"aud", false}, {"exp", false}, {"nbf", false}, {"iat", false}, {"jti", false}} {
		for _, v := range values {
			if ok, skip := valid[m.name]; skip && ok == v {
				continue
			}
			// The signature keeps the real algorithm whatever alg becomes.
			keepAlg := func(d *assertion.Draft) { d.SignAlg = d.Alg() }
			mut := assertion.Claim(m.name, v)
			if m.header {
				mut = assertion.Header(m.name, v)
			}
			tr, err := e.Authenticate(ctx, e.Cast.A, keepAlg, mut)
			if err != nil {
				return tr, err
			}
			var want check.Expectation = classFor(c)
			if m.name == "typ" {
				want = typIgnored(classFor(c))
			}
			if verdict := want.Judge(tr, e); len(verdict.Fail) > 0 {
				tr.Findings = append(tr.Findings, fmt.Sprintf("with %s = %#v", m.name, v))
				return tr, nil
			}
			last = tr
		}
	}
	return last, nil
}

// enumeration compares a bad signature for client A with one for an
// unregistered client: status and error must not tell them apart.
func enumeration(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
	known, err := e.Authenticate(ctx, e.Cast.A, assertion.FlipSignatureBit)
	if err != nil {
		return known, err
	}
	const nobody = "unregistered-xyz"
	unknown, err := e.Authenticate(ctx, e.Cast.A, assertion.FlipSignatureBit, assertion.Claim("iss", nobody), assertion.Claim("sub", nobody))
	if err != nil {
		return unknown, err
	}
	unknown.Related = append(unknown.Related, known)
	switch {
	case known.ErrorCode() != unknown.ErrorCode() || (known.Status >= 500) != (unknown.Status >= 500):
		unknown.Findings = append(unknown.Findings, fmt.Sprintf("an unknown client gets HTTP %d %q, a known client with a bad signature HTTP %d %q: the difference tells which client_ids exist",
			unknown.Status, unknown.ErrorCode(), known.Status, known.ErrorCode()))
	case known.Status != unknown.Status:
		// RFC 6749 §5.2 lets invalid_client come with 400 or 401.
		unknown.Remarks = append(unknown.Remarks, fmt.Sprintf("status differs: HTTP %d for an unknown client, HTTP %d for a known one with a bad signature", unknown.Status, known.Status))
	}
	// The catalog asks for differences to be reported: a description that
	// names the cause ("client not found") tells the same thing, but no
	// rule fixes its wording.
	if kd, ud := description(known), description(unknown); kd != ud {
		unknown.Remarks = append(unknown.Remarks, fmt.Sprintf("error_description differs: %q for an unknown client, %q for a known one with a bad signature; a description that names the cause lets a caller tell which client_ids exist", ud, kd))
	}
	return unknown, nil
}

// description is the error_description of a JSON error body, or "".
func description(tr *client.Transcript) string {
	m, err := tr.JSON()
	if err != nil {
		return ""
	}
	s, _ := m["error_description"].(string)
	return s
}
