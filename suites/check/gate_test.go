package check_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
)

// refused is a control that fails the way a server refusing it would.
func refused(id string, runs *int) check.Control {
	return check.Control{ID: id, Run: func(context.Context, *check.Env) check.Result {
		*runs++
		return check.Result{Outcome: v1.Fail, Reason: "HTTP 401 invalid_client: the key for kid A1 does not verify"}
	}}
}

// TestGateBlocksOnce: a failed control runs once per run, and every row
// gated on it is ERROR "blocked: <ID> failed: <reason>" with blockedBy and
// the cause set.
func TestGateBlocksOnce(t *testing.T) {
	runs := 0
	ctl := refused("A-JG-14", &runs)
	e := &check.Env{Gates: &check.Gates{}}
	for i := 0; i < 3; i++ {
		b := e.Gate(context.Background(), ctl)
		if b == nil {
			t.Fatal("a failed control did not block")
		}
		if b.Outcome != v1.Error || b.BlockedBy != "A-JG-14" ||
			b.Reason != "blocked: A-JG-14 failed: HTTP 401 invalid_client: the key for kid A1 does not verify" ||
			b.Cause != "HTTP 401 invalid_client: the key for kid A1 does not verify" {
			t.Errorf("blocked result: %+v", b)
		}
	}
	if runs != 1 {
		t.Errorf("the control ran %d times, want once per run", runs)
	}
	passes := check.Control{ID: "ok", Run: func(context.Context, *check.Env) check.Result { return check.Pass() }}
	if b := e.Gate(context.Background(), passes); b != nil {
		t.Errorf("a passing control blocked: %+v", b)
	}
	if b := (&check.Env{}).Gate(context.Background(), ctl); b != nil {
		t.Errorf("an Env without Gates gated: %+v", b)
	}
}

// TestGateRequires: a control whose prerequisite failed is not run; its
// rows are blocked by the prerequisite, the first cause.
func TestGateRequires(t *testing.T) {
	clientRuns, grantRuns := 0, 0
	grant := refused("A-JG-01/grant", &grantRuns)
	grant.Requires = []check.Control{refused("A-JG-14", &clientRuns)}
	e := &check.Env{Gates: &check.Gates{}}
	b := e.Gate(context.Background(), grant)
	if b == nil || b.BlockedBy != "A-JG-14" || !strings.HasPrefix(b.Reason, "blocked: A-JG-14 failed: ") {
		t.Fatalf("got %+v, want blocked by A-JG-14", b)
	}
	if grantRuns != 0 {
		t.Errorf("the grant control ran %d times behind a failed prerequisite", grantRuns)
	}
	if b := e.GateRequired(context.Background(), grant); b == nil || b.BlockedBy != "A-JG-14" {
		t.Errorf("GateRequired: got %+v, want blocked by A-JG-14", b)
	}
}

// TestRefusalKeepsTheDescription: the server's own error_description is
// kept whole (it is where a server says why); other bodies are quoted up
// to MaxCauseBody.
func TestRefusalKeepsTheDescription(t *testing.T) {
	long := "client assertion rejected: " + strings.Repeat("x", 400) + " because the signing algorithm ES256 is not allowed for this client"
	tests := []struct {
		name string
		tr   *client.Transcript
		want func(string) bool
	}{
		{"oauth error", &client.Transcript{Status: 401, Body: []byte(`{"error":"invalid_client","error_description":"` + long + `"}`)},
			func(s string) bool { return s == "HTTP 401 invalid_client: "+long }},
		{"code only", &client.Transcript{Status: 400, Body: []byte(`{"error":"unauthorized_client"}`)},
			func(s string) bool { return s == "HTTP 400 unauthorized_client" }},
		{"html", &client.Transcript{Status: 403, Body: []byte("<html>\n<body>" + strings.Repeat("y", 1000))},
			func(s string) bool {
				return strings.HasPrefix(s, "HTTP 403: <html> <body>y") && strings.HasSuffix(s, "…") && len([]rune(s)) < 330
			}},
		{"200 without token", &client.Transcript{Status: 200, Body: []byte(`{"ok":true}`)},
			func(s string) bool { return s == `got HTTP 200 without an access_token in a JSON object: {"ok":true}` }},
	}
	for _, tt := range tests {
		if got := check.Refusal(tt.tr); !tt.want(got) {
			t.Errorf("%s: Refusal = %q", tt.name, got)
		}
	}
}

// refusingTarget answers every token request as a server whose
// private_key_jwt is broken would, and counts the requests.
type refusingTarget struct {
	mu   sync.Mutex
	seen []url.Values
}

func (s *refusingTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	s.mu.Lock()
	s.seen = append(s.seen, r.PostForm)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if r.PostForm.Get("client_id") != "" {
		// The one thing this target cannot do without.
		_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer"}`))
		return
	}
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"private_key_jwt: no key of client-a verifies the assertion"}`))
}

// TestRowsBlockedByTheirControl: against a target that refuses the client
// control, positive and negative rows on both carriers are ERROR blocked
// by A-JG-14 and send nothing; an Ungated row (the control's own request)
// is judged, and FAILs.
func TestRowsBlockedByTheirControl(t *testing.T) {
	cast, err := mockidp.FixtureCast()
	if err != nil {
		t.Fatal(err)
	}
	target := &refusingTarget{}
	srv := httptest.NewServer(target)
	defer srv.Close()
	epoch := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	e := &check.Env{
		Target: check.Target{Issuer: srv.URL, TokenEndpoint: srv.URL + "/token"}, Profile: check.BASE, Cast: cast,
		Grant: check.GrantOptions{Enabled: true, URN: oauth.GrantJWTBearer, ClientAuth: "optional"},
		Clock: func() time.Time { return epoch }, Rand: rand.Reader, Gates: &check.Gates{},
		HTTP: &client.Client{HTTP: srv.Client(), Now: func() time.Time { return epoch }, Since: func(time.Time) time.Duration { return 0 }},
	}
	s := check.Suite{Name: "s", Carrier: check.Client}
	everywhere := func(x check.Expectation) map[check.Profile]check.Expectation {
		m := map[check.Profile]check.Expectation{}
		for _, p := range check.Profiles() {
			m[p] = x
		}
		return m
	}
	cs := s.Rows([]check.Row{
		{Check: check.Check{ID: "X-POS"}, Send: check.Mutate(), Want: everywhere(accepts{}), AlsoGrant: true},
		{Check: check.Check{ID: "X-NEG"}, Send: check.Mutate(), Want: everywhere(rejects{}), AlsoGrant: true},
	})
	for _, c := range cs {
		r := c.Run(context.Background(), e)
		if r.Outcome != v1.Error || r.BlockedBy != "A-JG-14" ||
			r.Reason != "blocked: A-JG-14 failed: HTTP 401 invalid_client: private_key_jwt: no key of client-a verifies the assertion" {
			t.Errorf("%s: got %s blockedBy %q (%s), want ERROR blocked by A-JG-14 with the server's description", c.Key(), r.Outcome, r.BlockedBy, r.Reason)
		}
	}
	if n := len(target.seen); n != 1 {
		t.Errorf("the target saw %d requests, want 1 (the control, once)", n)
	}
	own := s.Rows([]check.Row{{Check: check.Check{ID: "X-CTL"}, Send: check.Mutate(), Want: everywhere(issued{}), Ungated: true}})[0]
	if r := own.Run(context.Background(), e); r.Outcome != v1.Fail || r.BlockedBy != "" {
		t.Errorf("ungated row: got %s blockedBy %q (%s), want FAIL", r.Outcome, r.BlockedBy, r.Reason)
	}

	// A positive row with a contrast: refused while its contrast (the same
	// request plus client_id) is issued a token, the refusal is its own.
	withID := func(ctx context.Context, e *check.Env, _ check.Carrier) (*client.Transcript, error) {
		jwt, err := e.ClientAssertion(e.Cast.A)
		if err != nil {
			return nil, err
		}
		return e.Post(ctx, check.ClientAuthForm(jwt).Add("client_id", e.Cast.A.ID), nil)
	}
	refusedContrast := func(ctx context.Context, e *check.Env, c check.Carrier) (*client.Transcript, error) {
		return e.Send(ctx, c)
	}
	contrasted := s.Rows([]check.Row{
		{Check: check.Check{ID: "X-OWN"}, Send: check.Mutate(), Want: everywhere(issued{}), Contrast: withID},
		{Check: check.Check{ID: "X-SAME"}, Send: check.Mutate(), Want: everywhere(issued{}), Contrast: refusedContrast},
		{Check: check.Check{ID: "X-OK"}, Send: withID, Want: everywhere(issued{}), Contrast: refusedContrast},
	})
	for _, tt := range []struct {
		c       check.Check
		outcome v1.Outcome
	}{{contrasted[0], v1.Fail}, {contrasted[1], v1.Error}, {contrasted[2], v1.Pass}} {
		if r := tt.c.Run(context.Background(), e); r.Outcome != tt.outcome {
			t.Errorf("%s: got %s (%s), want %s", tt.c.ID, r.Outcome, r.Reason, tt.outcome)
		}
	}
}

// rejects wants a refusal, and finds one in any non-200.
type rejects struct{}

func (rejects) Judge(tr *client.Transcript, _ *check.Env) check.Verdict {
	if tr.Status == 200 {
		return check.Verdict{Fail: []string{"accepted"}}
	}
	return check.Verdict{}
}
func (rejects) Accepting() bool { return false }
func (rejects) String() string  { return "REJ" }

// issued wants a token.
type issued struct{}

func (issued) Judge(tr *client.Transcript, _ *check.Env) check.Verdict {
	if tr.AccessToken() == "" {
		return check.Verdict{Fail: []string{"refused: " + check.Refusal(tr)}}
	}
	return check.Verdict{}
}
func (issued) Accepting() bool { return true }
func (issued) String() string  { return "OK" }
