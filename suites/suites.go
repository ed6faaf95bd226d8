// Package suites turns assay's checks into Ginkgo specs. A vendor can call
// Register inside their own Ginkgo suite (csi-sanity style); the assay
// binary calls it once per process and writes its own reports from the
// "assay.result" report entries each spec records.
package suites

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/tokenissuer"
	v1 "github.com/assayhq/assay/reports/v1"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/clientauth"
	"github.com/assayhq/assay/suites/discovery"
	"github.com/assayhq/assay/suites/grant"
	"github.com/assayhq/assay/suites/negative"
	"github.com/assayhq/assay/suites/resource"
	"github.com/assayhq/assay/suites/rotation"
	"github.com/assayhq/assay/suites/tokenstate"
)

// Env is what every spec sees (design.md R3).
type Env = check.Env

// All returns every check, sorted by ID and carrier.
func All() []check.Check {
	var cs []check.Check
	cs = append(cs, discovery.Checks()...)
	cs = append(cs, clientauth.Checks()...)
	cs = append(cs, grant.Checks()...)
	cs = append(cs, negative.Checks()...)
	cs = append(cs, rotation.Checks()...)
	cs = append(cs, resource.Checks()...)
	cs = append(cs, tokenstate.Checks()...)
	check.SortKeys(cs)
	return cs
}

// Observations returns every informational row, sorted by ID. They are
// not checks: no outcome, no defect (semantics.md §2).
func Observations() []check.Observation {
	var list []check.Observation
	list = append(list, discovery.Observations()...)
	list = append(list, clientauth.Observations()...)
	list = append(list, negative.Observations()...)
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	return list
}

// RegisterObservations adds one spec per observation. Each records its
// v1.Observation as the v1.ObservationEntry report entry; a harness problem
// is recorded as the observation's text and never fails the run.
func RegisterObservations(e *check.Env, list []check.Observation) {
	ginkgo.Describe("observations", func() {
		for _, o := range list {
			o := o
			ginkgo.It(o.Text(), ginkgo.Label(o.Labels()...), func(ctx ginkgo.SpecContext) {
				ginkgo.AddReportEntry(v1.ObservationEntry, Observe(ctx, e, o), ginkgo.ReportEntryVisibilityNever)
			})
		}
	})
}

// Observe runs one observation; an error or panic becomes its text.
func Observe(ctx context.Context, e *check.Env, o check.Observation) (obs v1.Observation) {
	obs.ID = o.ID
	defer func() {
		if p := recover(); p != nil {
			obs.Text = fmt.Sprintf("%s: not observed: harness panic: %v", o.Title, p)
		}
	}()
	text, err := o.Observe(ctx, e)
	if err != nil {
		obs.Text = fmt.Sprintf("%s: not observed: %v", o.Title, err)
		return obs
	}
	obs.Text = client.Redact(o.Title+": "+text, e.Secrets)
	return obs
}

// GiveUpAfter is how many consecutive timeouts from one host make the
// Env's client stop sending to it (client.Client.GiveUpAfter): a silent
// target then costs three request timeouts, not one per check.
const GiveUpAfter = 3

// Options configure how an Env is built.
type Options struct {
	Issuer        string
	TokenEndpoint string // overrides discovery
	MetadataURL   string // overrides the OpenID well-known location
	Profile       check.Profile
	Cast          mockidp.Cast
	IdP           *mockidp.IdP
	Grant         check.GrantOptions
	Audience      string
	// Scope is sent on every client_credentials and grant request whose
	// row does not set its own (RFC 6749 §3.3).
	Scope   string
	Clock   func() time.Time
	Since   func(time.Time) time.Duration
	Rand    io.Reader
	TLS     *tls.Config
	Timeout time.Duration // per request

	// MaxAssertionLifetime is the target's declared bound on exp - now.
	MaxAssertionLifetime time.Duration
	// MaxGrantLifetime is the same bound on a grant assertion's exp - now.
	MaxGrantLifetime time.Duration
	// ClockSkew is the target's declared leeway on time claims.
	ClockSkew time.Duration
	// Oracle is the SSRF listener the jku/x5u rows point at (U6), placed where
	// the target can reach it.
	Oracle      *oracle.Oracle
	Rotation    check.Rotation
	Verifier    check.VerifierTarget
	TokenIssuer *tokenissuer.Issuer
	// TokenState configures suite tokenstate; its empty endpoint URLs are
	// filled from the metadata.
	TokenState check.TokenState
	// RegistrationToken is the initial access token of protected
	// registration (RFC 7591 §3), sent by the rows that register clients.
	RegistrationToken string
	// Sleep waits for the rotation suite; nil uses a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// VirtualTime says Clock, Since and Sleep are a virtual clock the
	// target shares (check.Env.VirtualTime).
	VirtualTime bool
}

// NewEnv discovers the target and returns the Env. A metadata document that
// cannot be read is not fatal (the discovery checks report it), but a token
// endpoint that cannot be found is. With neither an issuer nor a token
// endpoint but a verifier URL, the target is a verifier only: nothing is
// discovered, and only the resource suite applies.
func NewEnv(ctx context.Context, o Options) (*check.Env, error) {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	tr := &http.Transport{TLSClientConfig: o.TLS, MaxIdleConnsPerHost: 64, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: o.Timeout, ResponseHeaderTimeout: o.Timeout}
	hc := &http.Client{Transport: tr, Timeout: o.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // a token endpoint never redirects; follow nothing
	}}
	if o.Grant.URN == "" {
		o.Grant.URN = oauth.GrantJWTBearer
	}
	if o.Grant.ClientAuth == "" {
		o.Grant.ClientAuth = "optional"
	}
	e := &check.Env{
		Target:      check.Target{Issuer: o.Issuer, TokenEndpoint: o.TokenEndpoint, MetadataURL: o.MetadataURL, MetadataConfigured: o.MetadataURL != ""},
		Profile:     o.Profile,
		Cast:        o.Cast,
		IdP:         o.IdP,
		Grant:       o.Grant,
		Audience:    o.Audience,
		Scope:       o.Scope,
		Clock:       o.Clock,
		Rand:        o.Rand,
		HTTP:        &client.Client{HTTP: hc, Now: o.Clock, Since: o.Since, GiveUpAfter: GiveUpAfter},
		Oracle:      o.Oracle,
		Baseline:    &check.Baseline{},
		Gates:       &check.Gates{},
		Sleep:       o.Sleep,
		VirtualTime: o.VirtualTime,
		Rotation:    o.Rotation.WithDefaults(),

		Verifier:    o.Verifier,
		TokenIssuer: o.TokenIssuer,
		TokenState:  o.TokenState,

		MaxAssertionLifetime: o.MaxAssertionLifetime,
		MaxGrantLifetime:     o.MaxGrantLifetime,
		ClockSkew:            o.ClockSkew,
	}
	if e.Sleep == nil {
		e.Sleep = timerSleep
	}
	if len(o.Cast.Spares) > 0 {
		e.Spares = check.NewSpares(o.Cast.Spares...)
	}
	e.Secrets = o.Cast.Secrets()
	if o.RegistrationToken != "" {
		e.RegistrationToken = o.RegistrationToken
		e.Secrets = append(e.Secrets, o.RegistrationToken)
	}
	for _, name := range o.Verifier.SecretHeaders {
		e.Secrets = append(e.Secrets, o.Verifier.Header.Values(name)...)
	}
	if o.TokenIssuer != nil && o.TokenIssuer.Secret() != nil {
		e.Secrets = append(e.Secrets, string(o.TokenIssuer.Secret()))
	}
	if o.Issuer == "" && o.TokenEndpoint == "" && o.Verifier.URL != "" {
		e.Target.VerifierOnly = true
		return e, nil
	}
	// Without a configured URL, the document is looked for at both
	// well-known locations, the profile's own first: a server may publish
	// only RFC 8414 metadata, or only OpenID Discovery.
	candidates := []string{e.Target.MetadataURL}
	if e.Target.MetadataURL == "" {
		candidates = oauth.MetadataURLs(o.Issuer, o.Profile.Rules().OpenIDDiscovery)
	}
	var t *client.Transcript
	var err error
	answered := ""  // the first location that answered 200, parsable or not
	var large error // a document over the body cap, reported as such
	for _, u := range candidates {
		t, err = e.HTTP.Do(ctx, client.Request{Method: http.MethodGet, URL: u})
		if err == nil && t.Truncated {
			err = discovery.TooLarge(u)
			large = err
			if answered == "" {
				answered = u // the metadata rows report it as too large
			}
		}
		if err != nil || t.Status != http.StatusOK {
			continue
		}
		if answered == "" {
			answered = u
		}
		if m, perr := oauth.ParseMetadata(t.Body); perr == nil {
			e.Meta, e.MetaRaw, answered = m, t.Body, u
			break
		}
	}
	if !e.Target.MetadataConfigured {
		// A document that answers but does not parse is still the one
		// the metadata rows judge; "" means none answered at all.
		e.Target.MetadataURL = answered
	}
	if e.Target.TokenEndpoint == "" {
		e.Target.TokenEndpoint = e.Meta.TokenEndpoint
	}
	if e.TokenState.Introspection == "" {
		e.TokenState.Introspection = e.Meta.IntrospectionEndpoint
	}
	if e.TokenState.Revocation == "" {
		e.TokenState.Revocation = e.Meta.RevocationEndpoint
	}
	if e.Target.TokenEndpoint == "" {
		if large != nil {
			return nil, fmt.Errorf("discover token endpoint: %w", large)
		}
		if err != nil || t == nil {
			return nil, fmt.Errorf("discover token endpoint: %w", err)
		}
		return nil, fmt.Errorf("discover token endpoint: no metadata with a token_endpoint at %s (last answer HTTP %d); set target.tokenEndpoint", strings.Join(candidates, " or "), t.Status)
	}
	return e, nil
}

// timerSleep waits d or until ctx ends.
func timerSleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Register adds one spec per check to the current Ginkgo tree, grouped by
// suite. Each spec records its v1.Result as the v1.ResultEntry report entry;
// FAIL and ERROR fail the spec, N/A skips it, WARN passes. Each spec runs
// its check in its own body, one after another.
func Register(e *check.Env, checks []check.Check, perCheck time.Duration) {
	register(e, SpecOrder(checks), perCheck, nil)
}

// RegisterParallel is Register with the checks run on a pool of workers
// (Batch) ahead of their specs: the first spec starts the batch, and each
// spec waits for its own check's result and records it as Register's
// would, in the same order, so progress and reports do not change. The
// batch starts checks in spec order (SpecOrder), the order Register runs
// them in, and checks marked Serial run alone. It is meant for a Ginkgo
// run that runs every spec it registers (the assay binary): a spec
// filtered out by Ginkgo still has its check run. ctx ends the batch; the
// returned stop ends it and waits for running checks, and is to be called
// once RunSpecs has returned.
func RegisterParallel(ctx context.Context, e *check.Env, checks []check.Check, perCheck time.Duration, workers int) (stop func()) {
	ordered := SpecOrder(checks)
	b := NewBatch(ctx, e, ordered, workers, perCheck)
	register(e, ordered, perCheck, b)
	return b.Stop
}

// SpecOrder is the order Register's specs run in: grouped by suite, the
// suites in the order their first check comes in checks, each suite's
// checks in their order in checks.
func SpecOrder(checks []check.Check) []check.Check {
	groups := map[string][]check.Check{}
	var order []string
	for _, c := range checks {
		if _, ok := groups[c.Suite]; !ok {
			order = append(order, c.Suite)
		}
		groups[c.Suite] = append(groups[c.Suite], c)
	}
	out := make([]check.Check, 0, len(checks))
	for _, suite := range order {
		out = append(out, groups[suite]...)
	}
	return out
}

// register adds the specs of checks, which are in SpecOrder, under one
// container. Ginkgo keeps the order of the specs inside a container but
// reorders containers, so there is no container per suite (the suite:
// label carries the suite): the specs run in the batch's order.
func register(e *check.Env, checks []check.Check, perCheck time.Duration, b *Batch) {
	ginkgo.Describe("assay", func() {
		for i := range checks {
			registerSpec(e, checks, i, perCheck, b)
		}
	})
}

func registerSpec(e *check.Env, checks []check.Check, i int, perCheck time.Duration, b *Batch) {
	c := checks[i]
	args := []any{ginkgo.Label(c.Labels()...)}
	if b == nil {
		if perCheck > 0 {
			args = append(args, ginkgo.SpecTimeout(perCheck))
		}
		args = append(args, func(ctx ginkgo.SpecContext) { emit(e, c, RunTimed(ctx, e, c)) })
		ginkgo.It(c.Text(), args...)
		return
	}
	// No Ginkgo timeout: the spec may wait for checks the batch runs before
	// its own (serial ones that wait on a target's key cache). The check
	// has its own deadline of perCheck from when it starts; the wait is
	// bounded from then on, a minute longer, for a check that ignores its
	// context.
	args = append(args, func(ctx ginkgo.SpecContext) {
		interrupted := func(ctx context.Context) {
			emit(e, c, Outcome{Result: check.Error("interrupted: " + context.Cause(ctx).Error())})
		}
		select {
		case <-b.Started(i):
		case <-ctx.Done():
			interrupted(ctx)
			return
		}
		wctx := context.Context(ctx)
		if perCheck > 0 {
			var cancel context.CancelFunc
			wctx, cancel = context.WithTimeoutCause(ctx, perCheck+time.Minute, errors.New("the check outlived its deadline"))
			defer cancel()
		}
		o, ok := b.Wait(wctx, i)
		if !ok {
			interrupted(wctx)
			return
		}
		emit(e, c, o)
	})
	ginkgo.It(c.Text(), args...)
}

// emit records a check's outcome as its spec's report entry and ends the
// spec as the outcome says.
func emit(e *check.Env, c check.Check, o Outcome) {
	r := o.Result
	res := c.Report(r, o.Duration, e.Secrets)
	ginkgo.AddReportEntry(v1.ResultEntry, res, ginkgo.ReportEntryVisibilityNever)
	switch r.Outcome {
	case v1.Fail:
		ginkgo.Fail(res.Reason)
	case v1.Error:
		ginkgo.Fail("ERROR: " + res.Reason)
	case v1.NA:
		ginkgo.Skip("N/A: " + res.Reason)
	}
}

// Run runs one check and turns a panic inside it into ERROR: a harness bug
// is never a target failure.
func Run(ctx context.Context, e *check.Env, c check.Check) (r check.Result) {
	defer func() {
		if p := recover(); p != nil {
			r = check.Error(fmt.Sprintf("harness panic in %s: %v", c.ID, p))
		}
	}()
	if ctx.Err() != nil {
		return check.Error("interrupted: " + ctx.Err().Error())
	}
	if e.Target.VerifierOnly && c.Suite != resource.Suite {
		return check.NA("the target is a verifier only (no token endpoint)")
	}
	r = c.Run(ctx, e)
	if r.Outcome == "" {
		return check.Error("harness: check returned no outcome")
	}
	// A check that needed a client assertion on a target configured with
	// no private_key_jwt client (grant-only) does not apply; it is not a
	// harness or target error.
	if r.Outcome == v1.Error && check.ClientUnavailable(e) != "" && strings.Contains(r.Reason, check.NoClient) {
		return check.NA(check.NoClient)
	}
	r = CapLevel(c, r)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && r.Outcome != v1.Pass {
		r = check.Error("check timed out: " + r.Reason)
	}
	return r
}

// CapLevel holds a check's result to its level: a SHOULD check never
// FAILs, whatever its Run found (semantics.md §2, "SHOULD rows give WARN
// in every suite"). A MUST-level problem seen on the way (a 5xx during a
// key-rotation scenario, say) is a WARN of the SHOULD row here, and a FAIL
// of the MUST row that tests it.
func CapLevel(c check.Check, r check.Result) check.Result {
	if c.Level == check.SHOULD && r.Outcome == v1.Fail {
		r.Outcome = v1.Warn
	}
	return r
}

// CatalogLine is one tab-separated line of the check catalog (design.md
// R19): key, level, citations, the expected verdict per profile, the
// reference defect, and the title.
func CatalogLine(c check.Check) string {
	var ps []string
	for _, p := range check.Profiles() {
		v, ok := c.Verdicts[p]
		switch {
		case ok:
			ps = append(ps, string(p)+"="+v)
		case c.Verdicts == nil && c.AppliesTo(p):
			ps = append(ps, string(p))
		}
	}
	return strings.Join([]string{c.Key(), string(c.Level), strings.Join(c.Cite, ","), strings.Join(ps, ","), string(c.Defect), c.Title}, "\t")
}
