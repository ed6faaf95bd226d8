package config

// ValidateEnv checks the environment variables the Config names: the
// secrets of clients H and S and of the grant issuer, and the initial
// access token. Messages name
// the variable and never contain its value.
func (c Config) ValidateEnv(getenv func(string) string) []error {
	v := &validator{}
	if h := c.Clients.H; h != nil && h.SecretEnv != "" {
		switch n := len(getenv(h.SecretEnv)); {
		case n == 0:
			v.add("clients.H.secretEnv", "environment variable %s is not set or empty", h.SecretEnv)
		case n < minHS256Secret:
			v.add("clients.H.secretEnv", "the secret in %s has %d bytes; client_secret_jwt with HS256 needs at least %d (RFC 7518 §3.2)", h.SecretEnv, n, minHS256Secret)
		}
	}
	if s := c.Clients.S; s != nil && s.SecretEnv != "" && getenv(s.SecretEnv) == "" {
		v.add("clients.S.secretEnv", "environment variable %s is not set or empty", s.SecretEnv)
	}
	if vf := c.Verifier; vf != nil {
		if name := vf.Issuer.SecretEnv; name != "" && getenv(name) == "" {
			v.add("verifier.issuer.secretEnv", "environment variable %s is not set or empty", name)
		}
		for _, h := range sortedKeys(vf.Request.HeadersFromEnv) {
			if name := vf.Request.HeadersFromEnv[h]; getenv(name) == "" {
				v.add("verifier.request.headersFromEnv."+h, "environment variable %s is not set or empty", name)
			}
		}
	}
	if g := c.Grant; g.On() && g.SecretEnv != "" {
		// RFC 7518 §3.2: an HMAC key at least as long as the hash output.
		want := map[string]int{"HS256": 32, "HS384": 48, "HS512": 64}[g.SigningAlg]
		switch n := len(getenv(g.SecretEnv)); {
		case n == 0:
			v.add("grant.secretEnv", "environment variable %s is not set or empty", g.SecretEnv)
		case n < want:
			v.add("grant.secretEnv", "the secret in %s has %d bytes; %s needs at least %d (RFC 7518 §3.2)", g.SecretEnv, n, g.SigningAlg, want)
		}
	}
	r := c.Registration
	if r.Mode == RegistrationDynamic && r.InitialAccessTokenEnv != "" && getenv(r.InitialAccessTokenEnv) == "" {
		v.add("registration.initialAccessTokenEnv", "environment variable %s is not set or empty", r.InitialAccessTokenEnv)
	}
	return v.errs
}
