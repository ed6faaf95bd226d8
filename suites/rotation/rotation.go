// Package rotation holds the client key rotation and JWKS caching checks
// (catalog.md A.6 A-KR-*, and the C-ROT-* rows of this package's README):
// each check is one scenario over client A's JWKS, which the mock IdP hosts,
// run step by step: publish or withdraw a key, break the jwks_uri, wait for
// the target's declared cache TTL (check.Rotation), count fetches. The
// hosted set is restored when the scenario ends, also when it fails.
//
// https://openid.net/specs/openid-connect-core-1_0.html#RotateSigKeys
package rotation

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/jwks"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/suites/check"
	"github.com/assayhq/assay/suites/expect"
)

// Suite is the label value of these checks.
const Suite = "rotation"

// Checks returns every rotation check.
func Checks() []check.Check {
	// Every scenario changes client A's hosted key set and waits on the
	// target's key cache: each runs alone, unless it gets a spare client
	// of its own, whose key set no other check reads.
	s := check.Suite{Name: Suite, Carrier: check.Client,
		Serial: "changes client A's hosted key set and waits on the target's key cache", Spare: "A"}
	return s.Checks(newKeyChecks(), keySetChecks(), outageChecks(), floodChecks())
}

// scene is the state of one running scenario.
type scene struct {
	e      *check.Env
	h      *jwks.Handler
	trs    []*client.Transcript
	notes  []string
	waited time.Duration
}

// scenario wraps steps into a check's Run: N/A when assay does not host
// client A's keys, ERROR when the positive control fails first, and the
// hosted set restored at the end whatever happens.
func scenario(steps func(ctx context.Context, s *scene) check.Result) func(ctx context.Context, e *check.Env) check.Result {
	return func(ctx context.Context, e *check.Env) check.Result {
		if why := check.ClientUnavailable(e); why != "" {
			return check.NA(why)
		}
		if e.IdP == nil || e.IdP.JWKS(e.Cast.A.Name) == nil {
			return check.NA("client A's jwks_uri is not hosted by assay, so its keys cannot be rotated")
		}
		s := &scene{e: e, h: e.IdP.JWKS(e.Cast.A.Name)}
		restore := s.h.Save()
		defer restore()
		if b := e.Gate(ctx, e.CarrierControl(check.Client)); b != nil {
			return *b
		}
		tr, ok, err := e.Control(ctx, check.Client)
		if err != nil {
			return s.harness(err, tr)
		}
		if !ok && e.OnSpareClient() {
			return check.Error(fmt.Sprintf("the positive control of spare client %s was refused before the scenario started (is it registered like client A, with jwks_uri <mock IdP>%s?): %s",
				e.Cast.A.ID, mockidp.JWKSPath(e.Cast.A.Name), check.Refusal(tr)), tr)
		}
		if !ok {
			return check.Error("positive control refused before the scenario started: "+check.Refusal(tr), tr)
		}
		r := steps(ctx, s)
		r.Exchanges = append(r.Exchanges, s.trs...)
		r.Notes = append(r.Notes, s.notes...)
		if s.waited > 0 {
			rot := e.Rotation
			r.Notes = append(r.Notes, fmt.Sprintf("waited %s (declared key cache TTL %s, margin %s, refetch interval %s)", s.waited, rot.KeyCacheTTL, rot.Margin, rot.RefetchMin))
		}
		return r
	}
}

// needsExpiry is the N/A answer of a scenario that must wait for the
// target's key cache to expire but has no time left for it.
func needsExpiry(ctx context.Context, e *check.Env, times int) (check.Result, bool) {
	d := time.Duration(times) * e.Rotation.Expiry()
	if e.Fits(ctx, d) {
		return check.Result{}, false
	}
	return check.NA(fmt.Sprintf("needs up to %s of waiting (declared key cache TTL %s + margin %s, twice), more than the allowed wait %s or the check's time limit: declare the target's real TTL, or raise rotation MaxWait and the check timeout",
		d, e.Rotation.KeyCacheTTL, e.Rotation.Margin, e.Rotation.MaxWait)), true
}

func (s *scene) wait(ctx context.Context, d time.Duration) error {
	s.waited += d
	return s.e.Wait(ctx, d)
}

// send authenticates client A with a client assertion built by ms.
func (s *scene) send(ctx context.Context, ms ...assertion.Mutation) (*client.Transcript, error) {
	tr, err := s.e.Authenticate(ctx, s.e.Cast.A, ms...)
	if tr != nil {
		s.trs = append(s.trs, tr)
	}
	return tr, err
}

// publishSigned publishes a fresh key of client A's (its JWK edited by
// edit, when set) and sends an assertion signed with it until the target
// accepts it or has fetched the set (see converge). res is set when the
// scenario must end there.
func (s *scene) publishSigned(ctx context.Context, edit func(map[string]any)) (k keys.Key, tr *client.Transcript, res *check.Result) {
	k, err := newSigningKey(s.e)
	if err != nil {
		r := s.harness(err, nil)
		return k, nil, &r
	}
	m, err := member(k, edit)
	if err != nil {
		r := s.harness(err, nil)
		return k, nil, &r
	}
	since := s.h.Hits()
	s.publish(m)
	tr, err = s.converge(ctx, since, true, assertion.SignWith(k))
	if err != nil {
		r := s.harness(err, tr)
		return k, tr, &r
	}
	return k, tr, nil
}

// publish replaces the members assay adds to client A's set.
func (s *scene) publish(members ...json.RawMessage) { s.h.SetExtra(members...) }

// converge sends until the target accepts or has fetched the hosted set
// since `since`: at once, then after the refetch interval (the "one
// retry" of A-KR-02), then, with expire, after the cache TTL.
func (s *scene) converge(ctx context.Context, since int64, expire bool, ms ...assertion.Mutation) (*client.Transcript, error) {
	tr, _, err := s.e.Converge(ctx, expire, s.wait,
		func(ctx context.Context) (*client.Transcript, error) { return s.send(ctx, ms...) },
		func(tr *client.Transcript) bool { return issued(tr) || s.h.Hits() > since })
	return tr, err
}

// harness turns a send or wait error into ERROR.
func (s *scene) harness(err error, tr *client.Transcript) check.Result {
	switch {
	case errors.Is(err, client.ErrTransport):
		return check.Error(err.Error(), tr)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return check.Error("interrupted: " + err.Error())
	}
	return check.Error("harness: " + err.Error())
}

// rejected judges a response that must be REJ-C; when it is not, a positive
// control confirms that the target still issues tokens (semantics.md §2).
// It reports false when the rejection is right, or true with the result.
func (s *scene) rejected(ctx context.Context, lvl check.Level, tr *client.Transcript, what string) (check.Result, bool) {
	v := expect.RejectClient.Judge(tr, s.e)
	s.notes = append(s.notes, v.Notes...)
	if len(v.Fail) == 0 {
		return check.Result{}, false
	}
	// Heal any jwks_uri outage first: a target that refetches on every
	// request cannot issue tokens while it lasts, which says nothing about
	// whether it is still up.
	s.heal()
	ctr, ok, err := s.e.Control(ctx, check.Client)
	if err != nil || !ok {
		r := check.Error("target stopped issuing tokens after this scenario (the positive control then got " + check.ControlAnswer(ctr, err) + "); it saw: " + what + ": " + strings.Join(v.Fail, "; "))
		if ctr != nil {
			r.Exchanges = append(r.Exchanges, ctr)
		}
		return r, true
	}
	return check.Broken(lvl, what+": "+strings.Join(v.Fail, "; ")), true
}

// heal ends a jwks_uri outage (mode and delay); published keys stay.
func (s *scene) heal() {
	s.h.SetMode(jwks.Normal)
	s.h.SetDelay(0)
}

// accepted judges a response that must issue a token.
func (s *scene) accepted(lvl check.Level, tr *client.Transcript, what string) (check.Result, bool) {
	if tr.Status >= 500 {
		return check.Broken(check.MUST, fmt.Sprintf("%s: server error HTTP %d (U2)", what, tr.Status)), true
	}
	v := expect.Issued{}.Judge(tr, s.e)
	if len(v.Fail) == 0 {
		return check.Result{}, false
	}
	return check.Broken(lvl, what+": "+strings.Join(v.Fail, "; ")), true
}

// no5xx judges a response that may be anything but a server error.
func no5xx(tr *client.Transcript, what string) (check.Result, bool) {
	if tr.Status >= 500 {
		return check.Broken(check.MUST, fmt.Sprintf("%s: server error HTTP %d (U2)", what, tr.Status)), true
	}
	return check.Result{}, false
}

func issued(tr *client.Transcript) bool {
	return tr != nil && tr.Status == http.StatusOK && tr.AccessToken() != ""
}

// freshKid is a kid nobody has used, so that the target cannot have it cached.
func freshKid(e *check.Env, prefix string) (string, error) {
	b := make([]byte, 6)
	if _, err := e.Rand.Read(b); err != nil {
		return "", fmt.Errorf("make kid: %w", err)
	}
	return prefix + "-" + hex.EncodeToString(b), nil
}

// freshKey is a test-only key of client A's, under a kid nobody has used.
func freshKey(e *check.Env, fixture, alg string) (keys.Key, error) {
	k, err := keys.Fixture(fixture)
	if err != nil {
		return keys.Key{}, err
	}
	kid, err := freshKid(e, "assay-rot")
	if err != nil {
		return keys.Key{}, err
	}
	return k.With(kid, alg), nil
}

// newSigningKey is a fresh key for the algorithm client A is registered
// for (or signs with), under a kid nobody has used: the committed second
// EC key for ES256, else a key made for the run, so that a server pinning
// A's algorithm takes it.
func newSigningKey(e *check.Env) (keys.Key, error) {
	alg := check.DefaultAlg(e.Cast.A)
	if alg == "ES256" || alg == "" {
		return freshKey(e, "client-a2.es256", "ES256")
	}
	kid, err := freshKid(e, "assay-rot")
	if err != nil {
		return keys.Key{}, err
	}
	return keys.Generate(alg, kid, e.Rand)
}

// member is the public JWK of k as a JSON member of "keys", with edit
// applied to its fields (nil for none).
func member(k keys.Key, edit func(m map[string]any)) (json.RawMessage, error) {
	b, err := json.Marshal(k.Public())
	if err != nil {
		return nil, fmt.Errorf("marshal jwk %s: %w", k.ID(), err)
	}
	if edit == nil {
		return b, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("edit jwk %s: %w", k.ID(), err)
	}
	edit(m)
	return json.Marshal(m)
}
