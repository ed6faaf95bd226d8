package profile

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, p := range All() {
		if got, err := Parse(string(p)); err != nil || got != p {
			t.Errorf("Parse(%s) = %s, %v", p, got, err)
		}
	}
	for _, s := range []string{"", "bis", "FAPI"} {
		_, err := Parse(s)
		if err == nil || !strings.Contains(err.Error(), "unknown profile") || !strings.Contains(err.Error(), Names()) {
			t.Errorf("Parse(%q): error %v, want one naming every profile", s, err)
		}
	}
}

// TestRules pins the table against catalog.md §0.1-0.2, so that a change
// to a profile's rules is a deliberate one.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		rule func(Rules) bool
		want []Profile
	}{
		{"issuer the sole audience", func(r Rules) bool { return r.IssuerAudience }, []Profile{OIDCE3, BIS, FAPI2, BCP}},
		{"aud a string", func(r Rules) bool { return r.AudienceString }, []Profile{OIDCE3, FAPI2}},
		{"jti required", func(r Rules) bool { return r.RequireJTI }, []Profile{OIDC, OIDCE3, FAPI2}},
		{"typed assertion", func(r Rules) bool { return r.Typed }, []Profile{BIS, BCP}},
		{"clock window", func(r Rules) bool { return r.ClockWindow }, []Profile{FAPI2}},
		{"OpenID Discovery", func(r Rules) bool { return r.OpenIDDiscovery }, []Profile{OIDC, OIDCE3, FAPI2}},
		{"bounded lifetime", func(r Rules) bool { return r.BoundedLifetime }, []Profile{BCP}},
		{"private_key_jwt only", func(r Rules) bool { return r.PrivateKeyJWTOnly }, []Profile{FAPI2}},
		{"HS256 and RS256 allowed", func(r Rules) bool { return r.AllowsAlg("HS256") && r.AllowsAlg("RS256") }, []Profile{BASE, OIDC, OIDCE3, BIS, BCP}},
	} {
		if got := Where(tc.rule); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if !reflect.DeepEqual(FAPI2.Rules().SigningAlgs, []string{"PS256", "ES256", "EdDSA"}) {
		t.Errorf("FAPI2 algorithms: %v", FAPI2.Rules().SigningAlgs)
	}
	if !reflect.DeepEqual(Profile("nope").Rules(), Rules{}) {
		t.Error("an unknown profile has rules")
	}
}
