package runner_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/runner/config"
)

// cfg is a config file as a tree, changed by dotted path.
type cfg map[string]any

func (c cfg) set(path string, v any) {
	keys := strings.Split(path, ".")
	m := map[string]any(c)
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
		return
	}
	m[keys[len(keys)-1]] = deepCopy(v)
}

// deepCopy copies the maps and lists of a config value, so that rows and
// runs never share (and change) one another's sections.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	case []string:
		return append([]string(nil), v...)
	}
	return v
}

// deadRun is what one assay run left behind: the requests the recorder
// saw, the JSON report, the terminal output and the exit code.
type deadRun struct {
	rec            *recorder
	report         v1.Report
	stdout, stderr string
	code           int
}

// result is a check's outcome and reason ("" when it did not run).
func (r deadRun) result(id string) string {
	for _, res := range r.report.Results {
		if res.ID == id || res.ID+"/"+res.Carrier == id {
			return fmt.Sprintf("%s %s expected=%v", res.Outcome, res.Reason, res.Expected)
		}
	}
	return ""
}

func (r deadRun) exit() string { return fmt.Sprint("exit ", r.code) }

// deadRow shows that one config setting is read: the same run made with
// and without the change differs in what see returns (a request assay
// sent, or a verdict).
type deadRow struct {
	path string
	// base prepares both runs (the section the setting belongs to);
	// change is applied to the second run only.
	base, change func(c cfg, env map[string]string)
	args         []string // --only or --label-filter
	see          func(r deadRun) string
	tls          bool
	// via names the test that shows the setting at work instead, for the
	// settings of a container target (each run builds and starts one).
	via string
}

func to(path string, v any) func(cfg, map[string]string) {
	return func(c cfg, _ map[string]string) { c.set(path, v) }
}

func both(fs ...func(cfg, map[string]string)) func(cfg, map[string]string) {
	return func(c cfg, env map[string]string) {
		for _, f := range fs {
			f(c, env)
		}
	}
}

func setenv(name, value string) func(cfg, map[string]string) {
	return func(_ cfg, env map[string]string) { env[name] = value }
}

func only(ids ...string) []string { return []string{"--only", strings.Join(ids, ",")} }

func form(name string) func(deadRun) string {
	return func(r deadRun) string { return r.rec.forms(name) }
}

func jwt(param, field string) func(deadRun) string {
	return func(r deadRun) string { return r.rec.jwtField(param, field) }
}

// jwtAge lists claim - iat (seconds) of the JWTs sent in param: a time
// claim relative to the moment the JWT was made, the same in every run.
func jwtAge(param, claim string) func(deadRun) string {
	return func(r deadRun) string {
		seen := map[string]bool{}
		for _, q := range r.rec.requests() {
			for _, jwt := range q.Form[param] {
				segs := strings.Split(jwt, ".")
				if len(segs) != 3 {
					continue
				}
				raw, _ := base64.RawURLEncoding.DecodeString(segs[1])
				var m map[string]any
				if json.Unmarshal(raw, &m) != nil {
					continue
				}
				c, ok1 := m[claim].(float64)
				iat, ok2 := m["iat"].(float64)
				if ok1 && ok2 {
					seen[fmt.Sprint(int64(c-iat))] = true
				}
			}
		}
		return sortedKeys(seen)
	}
}

// apiJWT lists the distinct header ("h.typ") or claim ("c.scope") members
// of the JWTs sent to the verifier (under /api), wherever the request put
// them: the Authorization header, a form field or a JSON body.
func apiJWT(field string) func(deadRun) string {
	return func(r deadRun) string {
		seen := map[string]bool{}
		part, member, _ := strings.Cut(field, ".")
		for _, q := range r.rec.requests() {
			if !strings.HasPrefix(q.Path, "/api") {
				continue
			}
			for _, tok := range jwtPattern.FindAllString(q.Header.Get("Authorization")+" "+q.Body, -1) {
				segs := strings.Split(tok, ".")
				i := 1
				if part == "h" {
					i = 0
				}
				raw, _ := base64.RawURLEncoding.DecodeString(segs[i])
				var m map[string]any
				if json.Unmarshal(raw, &m) == nil {
					b, _ := json.Marshal(m[member])
					seen[string(b)] = true
				}
			}
		}
		return sortedKeys(seen)
	}
}

var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)

// apiShape lists the requests to the verifier with every JWT replaced by
// "T": method, path, form keys and body shape.
func apiShape(r deadRun) string {
	seen := map[string]bool{}
	for _, q := range r.rec.requests() {
		if strings.HasPrefix(q.Path, "/api") {
			seen[q.Method+" "+q.Path+" "+jwtPattern.ReplaceAllString(q.Body, "T")] = true
		}
	}
	return sortedKeys(seen)
}

// apiMACKey tells which candidate secret keys the HS256 tokens sent to
// the verifier.
func apiMACKey(candidates ...string) func(deadRun) string {
	return func(r deadRun) string {
		var toks []string
		for _, q := range r.rec.requests() {
			toks = append(toks, jwtPattern.FindAllString(q.Header.Get("Authorization")+" "+q.Body, -1)...)
		}
		return macKeys(toks, candidates)
	}
}

func result(id string) func(deadRun) string { return func(r deadRun) string { return r.result(id) } }

func paths(r deadRun) string { return r.rec.paths() }

func exit(r deadRun) string { return r.exit() }

func header(name string) func(deadRun) string {
	return func(r deadRun) string { return r.rec.headers(name) }
}

func stdoutHas(s string) func(deadRun) string {
	return func(r deadRun) string { return fmt.Sprint(strings.Contains(r.stdout, s)) }
}

func targetLog(r deadRun) string { return strings.Join(r.report.TargetLog, "\n") }

// macKey tells which of the candidate secrets keys the HS256 assertions
// sent in client_assertion.
func macKey(candidates ...string) func(deadRun) string {
	return func(r deadRun) string {
		var toks []string
		for _, q := range r.rec.requests() {
			toks = append(toks, q.Form["client_assertion"]...)
		}
		return macKeys(toks, candidates)
	}
}

// macKeys lists which candidates (by index) key the HS256 JWTs in toks.
func macKeys(toks, candidates []string) string {
	seen := map[string]bool{}
	for _, tok := range toks {
		segs := strings.Split(tok, ".")
		if len(segs) != 3 {
			continue
		}
		for i, s := range candidates {
			m := hmac.New(sha256.New, []byte(s))
			m.Write([]byte(segs[0] + "." + segs[1]))
			if base64.RawURLEncoding.EncodeToString(m.Sum(nil)) == segs[2] {
				seen[fmt.Sprint("secret ", i)] = true
			}
		}
	}
	return sortedKeys(seen)
}

const (
	secretOne = "dead-config-secret-one-0123456789abcdef"
	secretTwo = "dead-config-secret-two-0123456789abcdef"
)

// TestNoDeadSettings: every setting in the config reference changes at
// least one request assay sends or one verdict. Each row runs assay twice
// against a recording target, without and with the change, and compares
// what it names; a setting that changes nothing fails. Every setting of
// config.Config has a row (or names the test that shows it, for a
// container target's settings), and every one is in the README's config
// reference.
func TestNoDeadSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hook := func(name, script string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	trustLog := filepath.Join(dir, "trust.log")
	registerHook := hook("register.sh", `cat >/dev/null; echo hooked-client`)
	trustHook := hook("trust.sh", `cat > `+trustLog)
	tokenHook := hook("token.sh", `cat >/dev/null; echo hook-issued-token-0123456789`)
	otherDir := t.TempDir()
	expectedFile := filepath.Join(dir, "expected.yaml")
	if err := os.WriteFile(expectedFile, []byte("- {id: A-CA-04.2, reason: known}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fixedPort := freePort(t)
	closedPort := freePort(t)
	process := func(script string) func(cfg, map[string]string) {
		return both(to("target.kind", "process"), to("target.process", map[string]any{
			"command": []string{"sh", "-c", script + "; exec sleep 600"},
			"ready":   map[string]any{"url": "@REC@/.well-known/oauth-authorization-server", "timeout": "20s"},
		}))
	}
	grantOn := to("grant.enabled", true)
	clientH := both(to("clients.H", map[string]any{"id": "client-h", "secretEnv": "DEADCFG_SECRET_H"}), setenv("DEADCFG_SECRET_H", secretOne))
	clientS := both(to("clients.S", map[string]any{"id": "client-s", "secretEnv": "DEADCFG_SECRET_S"}), setenv("DEADCFG_SECRET_S", secretOne))
	tokenState := to("tokenState.enabled", true)
	verifier := to("verifier", map[string]any{"url": "@REC@/api", "audience": "https://api.one.example"})
	neverAllow := to("verifier.allow", map[string]any{"pointer": "/token_type", "value": "Other"}) // the recorder's answers match no allow rule
	container := "TestContainerE2E and the seed/interop container tests (each builds an image and starts it)"

	rows := []deadRow{
		{path: "version", change: to("version", "v0"), args: only("A-TR-01"), see: exit},
		{path: "name", change: to("name", "renamed"), args: only("A-TR-01"), see: func(r deadRun) string { return r.report.Target.Name }},
		{path: "target.kind", change: func(c cfg, _ map[string]string) { c["target"] = map[string]any{"kind": "reference"} }, args: only("A-TR-01"),
			see: func(r deadRun) string { return r.report.Target.Issuer }},
		{path: "target.issuer", change: to("target.issuer", "@REC@/tenant"), args: only("A-TR-01"), see: paths},
		{path: "target.tokenEndpoint", change: to("target.tokenEndpoint", "@REC@/token2"), args: only("A-TR-01"), see: paths},
		{path: "target.metadataURL", change: to("target.metadataURL", "@REC@/custom/meta"), args: only("A-TR-01"), see: paths},
		{path: "target.introspectionEndpoint", base: tokenState, change: to("target.introspectionEndpoint", "@REC@/introspect2"), args: only("C-INT-02"), see: paths},
		{path: "target.revocationEndpoint", base: tokenState, change: to("target.revocationEndpoint", "@REC@/revoke2"), args: only("C-REV-01"), see: paths},
		{path: "target.caFile", tls: true, change: to("target.caFile", "@REPO@/fixtures/tls/ca.pem"), args: only("A-TR-01"), see: exit},
		{path: "target.insecureSkipVerify", tls: true, change: to("target.insecureSkipVerify", true), args: only("A-TR-01"), see: exit},
		{path: "target.product", base: to("name", nil), change: to("target.product", "ExampleAS"), args: only("A-TR-01"), see: func(r deadRun) string { return r.report.Target.Name }},
		{path: "target.version", base: both(to("name", nil), to("target.product", "ExampleAS")), change: to("target.version", "9.1"), args: only("A-TR-01"), see: func(r deadRun) string { return r.report.Target.Name }},
		{path: "target.process.command", base: process("echo started-one"), change: to("target.process.command", []string{"sh", "-c", "echo started-two; exec sleep 600"}), args: only("A-CA-04.2"), see: targetLog},
		{path: "target.process.dir", base: process("pwd"), change: to("target.process.dir", otherDir), args: only("A-CA-04.2"), see: targetLog},
		{path: "target.process.env", base: process("echo value=$DEADCFG"), change: to("target.process.env", map[string]any{"DEADCFG": "set"}), args: only("A-CA-04.2"), see: targetLog},
		{path: "target.process.ready.url", base: process("true"), change: to("target.process.ready", map[string]any{"url": fmt.Sprintf("http://127.0.0.1:%d/", closedPort), "timeout": "1s"}), args: only("A-TR-01"), see: exit},
		{path: "target.process.ready.port", base: process("true"), change: to("target.process.ready", map[string]any{"port": fmt.Sprint(closedPort), "timeout": "1s"}), args: only("A-TR-01"), see: exit},
		{path: "target.process.ready.log", base: process("echo up"), change: to("target.process.ready", map[string]any{"log": "never printed", "timeout": "1s"}), args: only("A-TR-01"), see: exit},
		{path: "target.process.ready.timeout", base: both(process("sleep 2; echo up"), to("target.process.ready", map[string]any{"log": "up", "timeout": "30s"})), change: to("target.process.ready.timeout", "1s"), args: only("A-TR-01"), see: exit},
		{path: "target.container.image", via: container},
		{path: "target.container.build.context", via: container},
		{path: "target.container.build.dockerfile", via: container},
		{path: "target.container.build.buildArgs", via: container},
		{path: "target.container.env", via: container},
		{path: "target.container.ports", via: container},
		{path: "target.container.cmd", via: container},
		{path: "target.container.ready.url", via: container},
		{path: "target.container.ready.port", via: container},
		{path: "target.container.ready.log", via: container},
		{path: "target.container.ready.timeout", via: container},
		{path: "target.reference.defects", base: func(c cfg, _ map[string]string) { c["target"] = map[string]any{"kind": "reference"} },
			change: to("target.reference.defects", []string{"ignore-audience"}), args: only("A-CA-04.2"), see: result("A-CA-04.2")},
		{path: "profile", change: to("profile", "FAPI2"), args: only("A-CA-15"), see: result("A-CA-15")},
		{path: "mockidp.listen", change: to("mockidp.listen", fmt.Sprintf("127.0.0.1:%d", fixedPort)), args: only("A-TR-01"), see: stdoutHas(fmt.Sprintf("127.0.0.1:%d/jwks/a.json", fixedPort))},
		{path: "mockidp.publicURL", change: to("mockidp.publicURL", "http://mockidp.example:9"), args: only("A-TR-01"), see: stdoutHas("http://mockidp.example:9/jwks/a.json")},
		{path: "clients.A.id", change: to("clients.A.id", "client-a2"), args: only("A-TR-01"), see: jwt("client_assertion", "c.iss")},
		{path: "clients.A.keys", change: to("clients.A.keys", "generate"), args: only("A-TR-01"), see: jwt("client_assertion", "h.kid")},
		{path: "clients.A.signingAlg", change: to("clients.A.signingAlg", "PS256"), args: only("A-TR-01"), see: jwt("client_assertion", "h.alg")},
		{path: "clients.B.id", change: to("clients.B.id", "client-b2"), args: only("B-CLM-14.2"), see: jwt("client_assertion", "c.iss")},
		{path: "clients.B.keys", change: to("clients.B.keys", "generate"), args: only("B-CLM-14.2"), see: jwt("client_assertion", "h.kid")},
		{path: "clients.B.signingAlg", change: to("clients.B.signingAlg", "RS256"), args: only("B-CLM-14.2"), see: jwt("client_assertion", "h.alg")},
		{path: "clients.P.id", base: to("clients.P", map[string]any{"id": "client-p"}), change: to("clients.P.id", "client-p2"), args: only("B-ALG-09"), see: jwt("client_assertion", "c.iss")},
		{path: "clients.P.keys", base: to("clients.P", map[string]any{"id": "client-p"}), change: to("clients.P.keys", "generate"), args: only("B-ALG-09"), see: jwt("client_assertion", "h.kid")},
		{path: "clients.P.signingAlg", via: "config validation: client P exists to be registered for PS256 (A-AU-11, B-ALG-09), so PS256 is its only value"},
		{path: "clients.H.id", base: clientH, change: to("clients.H.id", "client-h2"), args: only("A-MD-12.5"), see: jwt("client_assertion", "c.iss")},
		{path: "clients.H.secretEnv", base: both(clientH, setenv("DEADCFG_SECRET_H2", secretTwo)), change: to("clients.H.secretEnv", "DEADCFG_SECRET_H2"), args: only("A-MD-12.5"), see: macKey(secretOne, secretTwo)},
		{path: "clients.S.id", base: clientS, change: to("clients.S.id", "client-s2"), args: only("A-AU-10.2"), see: func(r deadRun) string { return r.rec.headers("Authorization") + r.rec.forms("client_id") }},
		{path: "clients.S.secretEnv", base: both(clientS, setenv("DEADCFG_SECRET_S2", secretTwo)), change: to("clients.S.secretEnv", "DEADCFG_SECRET_S2"), args: only("A-AU-10.2"), see: func(r deadRun) string { return r.rec.headers("Authorization") + r.rec.forms("client_secret") }},
		{path: "clients.spares", base: to("registration.mode", "dynamic"), change: to("clients.spares", 1), args: only("A-KR-01"), see: jwt("client_assertion", "c.iss")},
		{path: "clients.spareIDs", change: to("clients.spareIDs", []string{"client-a-spare"}), args: only("A-KR-01"), see: jwt("client_assertion", "c.iss")},
		{path: "registration.mode", change: to("registration.mode", "dynamic"), args: only("A-TR-01"), see: paths},
		{path: "registration.endpoint", base: to("registration.mode", "dynamic"), change: to("registration.endpoint", "@REC@/register2"), args: only("A-TR-01"), see: paths},
		{path: "registration.initialAccessTokenEnv", base: both(to("registration.mode", "dynamic"), setenv("DEADCFG_IAT", "initial-access-token-0123456789")), change: to("registration.initialAccessTokenEnv", "DEADCFG_IAT"), args: only("A-TR-01"), see: header("Authorization")},
		{path: "registration.command", base: both(to("registration.mode", "command"), to("registration.command", []string{"sh", "-c", "cat >/dev/null; echo other-client"})), change: to("registration.command", []string{registerHook}), args: only("A-TR-01"), see: jwt("client_assertion", "c.iss")},
		{path: "registration.trustIssuerCommand", base: grantOn, change: to("registration.trustIssuerCommand", []string{trustHook}), args: only("A-JG-01/grant"),
			see: func(deadRun) string { b, _ := os.ReadFile(trustLog); os.Remove(trustLog); return string(b) }},
		{path: "grant.enabled", change: grantOn, args: only("A-JG-01/grant"), see: form("grant_type")},
		{path: "grant.urn", base: grantOn, change: to("grant.urn", config.GrantURNLegacy), args: only("A-JG-01/grant"), see: form("grant_type")},
		{path: "grant.trustModel", base: grantOn, change: to("grant.trustModel", "service-account"), args: only("A-JG-01/grant"), see: jwt("assertion", "c.sub")},
		{path: "grant.issuer", base: grantOn, change: to("grant.issuer", "https://other-idp.example"), args: only("A-JG-01/grant"), see: jwt("assertion", "c.iss")},
		{path: "grant.client", base: both(grantOn, to("grant.trustModel", "self-signed")), change: to("grant.client", "B"), args: only("A-JG-01/grant"), see: jwt("assertion", "c.iss")},
		{path: "grant.key", base: grantOn, change: to("grant.key", "@REPO@/fixtures/keys/client-a.ps256.jwk.json"), args: only("A-JG-01/grant"), see: jwt("assertion", "h.alg")},
		{path: "grant.kid", base: grantOn, change: to("grant.kid", "chosen-kid"), args: only("A-JG-01/grant"), see: jwt("assertion", "h.kid")},
		{path: "grant.secretEnv", base: both(grantOn, setenv("DEADCFG_GRANT_SECRET", secretOne)), change: both(to("grant.secretEnv", "DEADCFG_GRANT_SECRET"), to("grant.signingAlg", "HS256")), args: only("A-JG-01/grant"), see: jwt("assertion", "h.alg")},
		{path: "grant.audience", base: grantOn, change: to("grant.audience", "tokenEndpoint"), args: only("A-JG-01/grant"), see: jwt("assertion", "c.aud")},
		{path: "grant.clientAuth", base: grantOn, change: to("grant.clientAuth", "none"), args: only("A-JG-01/grant"), see: form("client_assertion_type")},
		{path: "grant.clientAuthMethod", base: both(grantOn, clientS), change: to("grant.clientAuthMethod", "client_secret_post"), args: only("A-JG-01/grant"), see: form("client_secret")},
		{path: "grant.subject", base: grantOn, change: to("grant.subject", "someone-else"), args: only("A-JG-01/grant"), see: jwt("assertion", "c.sub")},
		{path: "grant.knownSubjects", base: grantOn, change: to("grant.knownSubjects", []string{"user1"}), args: only("A-JG-04.2/grant"), see: result("A-JG-04.2/grant")},
		{path: "grant.signingAlg", base: grantOn, change: to("grant.signingAlg", "ES256"), args: only("A-JG-01/grant"), see: jwt("assertion", "h.alg")},
		{path: "audience", change: to("audience", "@REC@/token"), args: only("A-TR-01"), see: jwt("client_assertion", "c.aud")},
		{path: "scope", change: to("scope", "read write"), args: only("A-TR-01"), see: form("scope")},
		{path: "timeouts.request", base: func(c cfg, _ map[string]string) { c.set("timeouts.request", "5s") }, change: to("timeouts.request", "1s"), args: only("A-TR-01"), see: result("A-TR-01")},
		{path: "timeouts.start", base: both(process("sleep 2; echo up"), to("target.process.ready", map[string]any{"log": "up"})), change: to("timeouts.start", "1s"), args: only("A-TR-01"), see: exit},
		{path: "timeouts.clockSkew", change: to("timeouts.clockSkew", "20m"), args: only("A-CA-14"), see: jwtAge("client_assertion", "nbf")},
		{path: "timeouts.check", change: to("timeouts.check", "3500ms"), args: only("A-CA-04.2"), see: result("A-CA-04.2")},
		{path: "timeouts.maxGrantLifetime", base: both(grantOn, to("profile", "BCP")), change: to("timeouts.maxGrantLifetime", "1h"), args: only("A-JG-05.2/grant"), see: result("A-JG-05.2/grant")},
		{path: "timeouts.maxAssertionLifetime", base: to("profile", "BCP"), change: to("timeouts.maxAssertionLifetime", "1h"), args: only("A-CA-13"), see: result("A-CA-13")},
		{path: "rotation.keyCacheTTL", change: to("rotation.keyCacheTTL", "30m"), args: only("A-KR-03"), see: result("A-KR-03")},
		{path: "rotation.margin", change: to("rotation.margin", "10m"), args: only("A-KR-03"), see: result("A-KR-03")},
		{path: "rotation.refetchMin", change: to("rotation.refetchMin", "30m"), args: only("A-KR-07"), see: result("A-KR-07")},
		{path: "rotation.stall", change: to("rotation.stall", "30m"), args: only("C-ROT-02"), see: result("C-ROT-02")},
		{path: "rotation.maxWait", change: to("rotation.maxWait", "10s"), args: only("A-KR-03"), see: result("A-KR-03")},
		{path: "verifier.url", base: verifier, change: to("verifier.url", "@REC@/api2"), args: only("C-RS-01"), see: paths},
		{path: "verifier.audience", base: verifier, change: to("verifier.audience", "https://api.example"), args: only("C-RS-01"), see: header("Authorization")},
		{path: "verifier.kind", base: verifier, change: to("verifier.kind", "id_token"), args: only("C-RS-01"), see: apiJWT("h.typ")},
		{path: "verifier.request.method", base: verifier, change: to("verifier.request.method", "POST"), args: only("C-RS-01"), see: apiShape},
		{path: "verifier.request.headers", base: verifier, change: to("verifier.request.headers", map[string]any{"X-Dead": "one"}), args: only("C-RS-01"), see: header("X-Dead")},
		{path: "verifier.request.headersFromEnv", base: both(verifier, setenv("DEADCFG_SESSION", "session-0123456789")), change: to("verifier.request.headersFromEnv", map[string]any{"X-Session": "DEADCFG_SESSION"}), args: only("C-RS-01"), see: header("X-Session")},
		{path: "verifier.request.token", base: verifier, change: both(to("verifier.request.token", "form"), to("verifier.request.field", "jwt")), args: only("C-RS-01"), see: apiShape},
		{path: "verifier.request.field", base: both(verifier, to("verifier.request.token", "form"), to("verifier.request.field", "jwt")), change: to("verifier.request.field", "assertion"), args: only("C-RS-01"), see: apiShape},
		{path: "verifier.request.body", base: both(verifier, to("verifier.request.token", "json"), to("verifier.request.body", `{"subject":{"jwt":"${token}"}}`)), change: to("verifier.request.body", `{"token":"${token}"}`), args: only("C-RS-01"), see: apiShape},
		{path: "verifier.allow.status", base: verifier, change: to("verifier.allow", map[string]any{"status": []string{"201"}}), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.allow.pointer", base: both(verifier, to("verifier.allow", map[string]any{"pointer": "/token_type", "value": "Bearer"})), change: to("verifier.allow.pointer", "/access_token"), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.allow.value", base: both(verifier, to("verifier.allow", map[string]any{"pointer": "/token_type", "value": "Bearer"})), change: to("verifier.allow.value", "Other"), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.deny.status", base: both(verifier, neverAllow, to("verifier.deny", map[string]any{"status": []string{"201"}})), change: to("verifier.deny.status", []string{"200"}), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.deny.pointer", base: both(verifier, neverAllow, to("verifier.deny", map[string]any{"pointer": "/nothing", "value": "Bearer"})), change: to("verifier.deny.pointer", "/token_type"), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.deny.value", base: both(verifier, neverAllow, to("verifier.deny", map[string]any{"pointer": "/token_type", "value": "Other"})), change: to("verifier.deny.value", "Bearer"), args: only("C-RS-01"), see: result("C-RS-01")},
		{path: "verifier.scope", base: verifier, change: to("verifier.scope", "read"), args: only("C-RS-21"), see: result("C-RS-21")},
		{path: "verifier.claims", base: verifier, change: to("verifier.claims", map[string]any{"Role": "Manager"}), args: only("C-RS-01"), see: apiJWT("c.Role")},
		{path: "verifier.nonce", base: both(verifier, to("verifier.kind", "id_token")), change: to("verifier.nonce", "n-0123"), args: only("C-RS-01"), see: apiJWT("c.nonce")},
		{path: "verifier.issuer.alg", base: verifier, change: to("verifier.issuer.alg", "RS256"), args: only("C-RS-01"), see: apiJWT("h.alg")},
		{path: "verifier.issuer.secretEnv", base: both(verifier, to("verifier.issuer.alg", "HS256"), setenv("DEADCFG_V1", secretOne), setenv("DEADCFG_V2", secretTwo), to("verifier.issuer.secretEnv", "DEADCFG_V1")),
			change: to("verifier.issuer.secretEnv", "DEADCFG_V2"), args: only("C-RS-01"), see: apiMACKey(secretOne, secretTwo)},
		{path: "verifier.issuer.iss", base: verifier, change: to("verifier.issuer.iss", "https://other-issuer.example"), args: only("C-RS-01"), see: apiJWT("c.iss")},
		{path: "verifier.issuer.typ", base: verifier, change: to("verifier.issuer.typ", "JWT"), args: only("C-RS-01"), see: apiJWT("h.typ")},
		{path: "tokenState.enabled", change: to("tokenState.enabled", true), args: only("C-INT-02"), see: result("C-INT-02")},
		{path: "tokenState.client", base: tokenState, change: to("tokenState.client", "B"), args: only("C-INT-02"), see: jwt("client_assertion", "c.iss")},
		{path: "tokenState.otherClient", base: tokenState, change: to("tokenState.otherClient", "B"), args: only("C-REV-05"), see: result("C-REV-05")},
		{path: "tokenState.tokenFrom", base: both(tokenState, grantOn), change: to("tokenState.tokenFrom", "grant"), args: only("C-INT-02"), see: form("grant_type")},
		{path: "tokenState.tokenCommand", base: both(tokenState, to("tokenState.tokenFrom", "command"), to("tokenState.tokenCommand", []string{tokenHook})), change: to("tokenState.tokenCommand", []string{"sh", "-c", "echo other-token-0123456789"}), args: only("C-INT-02"), see: form("token")},
		{path: "tokenState.resource", base: tokenState, change: to("tokenState.resource", "@REC@/protected"), args: only("C-REV-03"), see: paths},
		{path: "tokenState.maxWait", base: tokenState, change: to("tokenState.maxWait", "1s"), args: only("C-INT-03"), see: result("C-INT-03")},
		{path: "expectedFailures.id", change: to("expectedFailures", []any{map[string]any{"id": "A-CA-04.2", "reason": "known"}}), args: only("A-CA-04.2"), see: result("A-CA-04.2")},
		{path: "expectedFailures.reason", base: to("expectedFailures", []any{map[string]any{"id": "A-CA-04.2", "reason": "known"}}),
			change: to("expectedFailures", []any{map[string]any{"id": "A-CA-04.2", "reason": "another reason"}}), args: only("A-CA-04.2"),
			see: func(r deadRun) string { return fmt.Sprint(r.report.Results) }},
		{path: "expectedFailuresFile", change: to("expectedFailuresFile", expectedFile), args: only("A-CA-04.2"), see: result("A-CA-04.2")},
	}

	settings := configSettings(reflect.TypeOf(config.Config{}), "")
	readme, err := os.ReadFile(repoFile(t, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	reference := configReference(string(readme))
	byPath := map[string]deadRow{}
	for _, r := range rows {
		byPath[r.path] = r
	}
	for _, s := range settings {
		if _, ok := byPath[s]; !ok {
			t.Errorf("setting %s has no row: show that changing it changes a request or a verdict", s)
		}
		if !reference[s] {
			t.Errorf("setting %s is not in the README's config reference", s)
		}
	}
	for _, r := range rows {
		if !slices.Contains(settings, r.path) {
			t.Errorf("row %s names no setting of config.Config", r.path)
		}
	}

	for _, row := range rows {
		if row.via != "" {
			continue
		}
		t.Run(row.path, func(t *testing.T) {
			t.Parallel()
			before := deadConfigRun(t, row, false)
			after := deadConfigRun(t, row, true)
			for _, r := range []deadRun{before, after} {
				if r.code == 2 && row.path != "version" {
					t.Fatalf("a run was refused as a usage or config error, so it shows nothing:\n%s", lastLines(r.stderr, 6))
				}
			}
			b, a := row.see(before), row.see(after)
			if b == a {
				t.Errorf("changing %s changed nothing assay sends or judges (%q both times)\nbefore: exit %d %s\nafter: exit %d %s",
					row.path, a, before.code, lastLines(before.stdout+before.stderr, 6), after.code, lastLines(after.stdout+after.stderr, 6))
			}
		})
	}
}

func deadConfigRun(t *testing.T, row deadRow, changed bool) deadRun {
	t.Helper()
	rec := newRecorder(t, row.tls)
	c := cfg{
		"version": "v1", "name": "dead-config",
		"target":     map[string]any{"kind": "url", "issuer": "@REC@"},
		"clients":    map[string]any{"A": map[string]any{"id": "client-a"}, "B": map[string]any{"id": "client-b"}},
		"timeouts":   map[string]any{"request": "3s", "check": "15s"},
		"rotation":   map[string]any{"maxWait": "1s"},
		"grant":      map[string]any{"enabled": false},
		"tokenState": map[string]any{"enabled": false},
	}
	env := map[string]string{}
	if row.base != nil {
		row.base(c, env)
	}
	if changed {
		row.change(c, env)
	}
	if row.path == "timeouts.request" || row.path == "timeouts.check" {
		rec.delay = 2 * time.Second
	}
	b, err := yaml.Marshal(map[string]any(c))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "@REC@", rec.URL)
	text = strings.ReplaceAll(text, "@REPO@", repoFile(t, ""))
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var vars []string
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	fr := runBoundedEnv(t, hangBound, vars, append([]string{"run", "--config", path}, row.args...)...)
	r := deadRun{rec: rec, stdout: fr.stdout, stderr: fr.stderr, code: fr.code}
	if fr.report != nil {
		r.report = *fr.report
	}
	return r
}

// configSettings lists the dotted paths of every setting of a Config (the
// yaml names; list and map elements have no index).
func configSettings(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[yaml.Unmarshaler]()) {
		return []string{prefix} // a leaf: a scalar, or a value that decodes itself
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if prefix != "" {
			name = prefix + "." + name
		}
		out = append(out, configSettings(f.Type, name)...)
	}
	return out
}

// configReference is the set of settings the README's "Config reference"
// section lists, each as `path` in its table's first column.
func configReference(readme string) map[string]bool {
	out := map[string]bool{}
	_, section, ok := strings.Cut(readme, "\n## Config reference\n")
	if !ok {
		return out
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	cell := regexp.MustCompile("^\\| *`([^`]+)`")
	for _, l := range strings.Split(section, "\n") {
		if m := cell.FindStringSubmatch(l); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// fixtureServerTLS serves the committed test certificate (fixtures/tls,
// issued by ca.pem for 127.0.0.1 and localhost).
func fixtureServerTLS(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(repoFile(t, "fixtures/tls/server.pem"), repoFile(t, "fixtures/tls/server.key"))
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}
