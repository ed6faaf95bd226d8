package runner_test

import (
	"strings"
	"testing"

	v1 "github.com/assayhq/assay/reports/v1"
)

// seedEnv sets the secrets the verifier seed configs name (test values,
// 40 bytes: HS256 wants at least 32).
func seedEnv(t *testing.T) {
	t.Setenv("SEED004_SECRET", strings.Repeat("k", 40))
	t.Setenv("SEED004_SESSION", "sso-token-for-policy-evaluator")
	t.Setenv("SEED003_GATEWAY_KEY", strings.Repeat("g", 40))
}

// allSeedEnv sets the secrets every committed seed config names, so that
// `assay validate` can check each (TestValidateTargetFixtures).
func allSeedEnv(t *testing.T) {
	seedEnv(t)
	t.Setenv("SEED003_IDP_KEY", "key1-the-thinktecture-sts-symmetric-key")
	t.Setenv("SEED003_RP_KEY", "the-relying-party-token-signing-key")
	t.Setenv("SEED003_CLIENT_SECRET", "service-identity-password")
	t.Setenv("SEED000_CLIENT_SECRET", "seed-000-test-only-client-secret-0123")
}

// outcomes maps check key to outcome.
func outcomes(r v1.Report) map[string]v1.Result {
	m := map[string]v1.Result{}
	for _, res := range r.Results {
		m[res.ID] = res
	}
	return m
}

// wantOutcomes asserts each named row's outcome: a behaviour the seed's
// document names is a row that runs (never N/A) for its config.
func wantOutcomes(t *testing.T, r v1.Report, want map[string]v1.Outcome) {
	t.Helper()
	got := outcomes(r)
	for id, o := range want {
		if got[id].Outcome != o {
			t.Errorf("%s: %s (%s), want %s", id, got[id].Outcome, got[id].Reason, o)
		}
	}
	if errs := errorsOf(r); len(errs) > 0 {
		t.Errorf("ERROR rows: %v", errs)
	}
}

// TestSeed004OpenAM: the policy decision point (JSON body, subject.jwt,
// HMAC, iss/aud/Role, deny as 200 with advices) runs every row its
// document names; its deviations (exp and nbf unchecked, alg ignored) FAIL
// and are the baseline.
func TestSeed004OpenAM(t *testing.T) {
	seedEnv(t)
	r := runSeed(t, "seed-004-openam")
	wantOutcomes(t, r, map[string]v1.Outcome{
		"C-RS-01": v1.Pass,                     // POST /json/policies?_action=evaluate, subject.jwt
		"C-RS-03": v1.Fail, "C-RS-04": v1.Fail, // exp/nbf unchecked
		"C-RS-05": v1.Pass, "C-RS-06": v1.Pass, "C-RS-15": v1.Pass, "C-RS-16": v1.Pass, // iss, aud, Role
		"C-RS-11": v1.Pass, "C-RS-13": v1.Pass, "C-RS-17": v1.Pass, // HMAC recomputed from the shared secret
		"C-RS-19": v1.Fail, "C-RS-07": v1.Pass, // alg not consulted
		"C-RS-25": v1.Fail, // environment.jwt verified, subject.jwt read
	})
	if o := outcomes(r)["A-CA-01"].Outcome; o != v1.NA {
		t.Errorf("A-CA-01 on a verifier-only target: %s, want N/A", o)
	}
}

// TestSeed003Edge: the edge gateway with a shared HS256 secret and with a
// Cognito-style JWKS; tokens without exp and ID tokens are accepted (the
// thread's deviations, in the baselines).
func TestSeed003Edge(t *testing.T) {
	seedEnv(t)
	for _, name := range []string{"seed-003-edge", "seed-003-edge-jwks"} {
		r := runSeed(t, name)
		wantOutcomes(t, r, map[string]v1.Outcome{
			"C-RS-01": v1.Pass, "C-RS-03": v1.Pass, "C-RS-11": v1.Pass, "C-RS-13": v1.Pass, "C-RS-14": v1.Pass,
			"C-RS-12": v1.Fail, "C-RS-18": v1.Fail,
		})
	}
}

// TestSeed001RP: the relying party validating ID Tokens through discovery,
// jwks_uri and kid; with the post's "import once" the provider's rotation
// leaves it stale (C-RS-02 WARN, C-RS-10 FAIL in the baseline).
func TestSeed001RP(t *testing.T) {
	r := runSeed(t, "seed-001-oidc-rp")
	wantOutcomes(t, r, map[string]v1.Outcome{
		"C-RS-01": v1.Pass, "C-RS-09": v1.Pass, // discovery, jwks_uri, kid
		"C-RS-05": v1.Pass, "C-RS-06": v1.Pass, "C-RS-03": v1.Pass, "C-RS-18": v1.Pass, "C-RS-22": v1.Pass, // iss, aud, exp, azp
		"C-RS-24": v1.Pass,                     // x5c/x5t consistent with the key
		"C-RS-02": v1.Pass, "C-RS-10": v1.Pass, // with --refetch-on-unknown-kid
	})
	stale := runSeed(t, "seed-001-oidc-rp-stale", "--only", "C-RS-02")
	wantOutcomes(t, stale, map[string]v1.Outcome{"C-RS-02": v1.Warn})
	stale = runSeed(t, "seed-001-oidc-rp-stale", "--only", "C-RS-10")
	wantOutcomes(t, stale, map[string]v1.Outcome{"C-RS-10": v1.Fail})
}
