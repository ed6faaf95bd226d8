package check

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/assayhq/assay/mockidp"
	"github.com/assayhq/assay/mockidp/assertion"
	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/mockidp/oracle"
	"github.com/assayhq/assay/mockidp/tokenissuer"
)

// Target is where the server under test answers.
type Target struct {
	Issuer        string
	TokenEndpoint string
	MetadataURL   string // the discovery document assay read
	// MetadataConfigured says the config named MetadataURL, so a target
	// that does not answer there fails the metadata rows rather than
	// making them N/A.
	MetadataConfigured bool
	// VerifierOnly says the target is a verifier and nothing else (a
	// relying party, a policy decision point): no token endpoint, so only
	// the resource suite applies.
	VerifierOnly bool
}

// Grant trust models (catalog.md §0.5): who signs the grant assertion.
const (
	TrustExternalIssuer = "external-issuer" // IdP-H: iss = its identifier, sub = the user
	TrustSelfSigned     = "self-signed"     // a client: iss = its client_id, its registered key, sub = the user
	TrustServiceAccount = "service-account" // an account: iss = sub = its id, a key the server issued
)

// Grant audiences (GrantOptions.Audience); any other value is sent as is.
const (
	AudienceIssuer        = "issuer"
	AudienceTokenEndpoint = "tokenEndpoint"
)

// GrantOptions describe how the target takes the jwt-bearer grant.
type GrantOptions struct {
	Enabled bool
	// Asked is true when the config itself enables the grant: its rows
	// run even when the metadata's grant_types_supported omits it. Else
	// such a target is taken not to offer the grant (rows N/A).
	Asked bool
	URN   string // grant_type value; oauth.GrantJWTBearer unless overridden
	// KnownSubjects are the subjects the trusted issuer may assert, as the
	// target's operators declare them; empty means the server's subject
	// policy is unknown, so refusing an unlisted sub cannot be judged
	// (RFC 7523 §3 item 2 leaves the subject to the application).
	KnownSubjects []string
	ClientAuth    string // required, optional, none: whether the target wants client authentication on grants
	// AuthMethod is how grant requests authenticate the client: none,
	// private_key_jwt (client A), client_secret_jwt (client H),
	// client_secret_basic or client_secret_post (client S); "" is none
	// when ClientAuth is none, else private_key_jwt.
	AuthMethod string
	// TrustModel is who signs the assertion: external-issuer (""),
	// self-signed or service-account. The issuer is Cast.IdPH, except
	// under self-signed with Client set.
	TrustModel string
	// Client, under self-signed, names the cast's client (A, B or P) whose
	// client_id is iss and whose key signs.
	Client string
	// Audience is the assertion's aud: issuer (""), tokenEndpoint or a
	// literal value.
	Audience string
	// KID, when set, is the kid header of every grant assertion, whatever
	// the signing key or secret names.
	KID string
}

// Method is how grant requests authenticate the client (AuthMethod with
// its default).
func (g GrantOptions) Method() string {
	switch {
	case g.AuthMethod != "":
		return g.AuthMethod
	case g.ClientAuth == "none":
		return oauth.AuthNone
	}
	return oauth.AuthPrivateKeyJWT
}

// GrantMethod is how this run's grant requests authenticate the client:
// Grant.Method, except that a grant-only target (no private_key_jwt client
// configured) that takes grants with optional client authentication gets
// none when no method was configured.
func (e *Env) GrantMethod() string {
	m := e.Grant.Method()
	if e.Grant.AuthMethod == "" && m == oauth.AuthPrivateKeyJWT && e.Grant.ClientAuth != "required" && ClientUnavailable(e) != "" {
		return oauth.AuthNone
	}
	return m
}

// Env is everything a check sees (design.md R3): no globals, no flags, no
// context values. Clock, randomness and the HTTP client are injected.
type Env struct {
	Target   Target
	Meta     oauth.Metadata
	MetaRaw  []byte
	Profile  Profile
	Cast     mockidp.Cast
	IdP      *mockidp.IdP // the hosted key sets' knobs; nil when keys are not hosted here
	Grant    GrantOptions
	Audience string // client-assertion aud override; "" uses the profile default
	Scope    string // a scope every client may request
	// MaxAssertionLifetime is the longest exp - now the target declares it
	// accepts in an assertion (RFC 7523 §3 item 4 lets it refuse longer);
	// zero means undeclared, and the rows that judge the bound are N/A.
	MaxAssertionLifetime time.Duration
	// MaxGrantLifetime is the same bound for a jwt-bearer grant's
	// assertion; zero means undeclared.
	MaxGrantLifetime time.Duration
	// ClockSkew is the leeway the target declares on exp, nbf and iat
	// (timeouts.clockSkew; RFC 7519 §4.1.4 "some small leeway"): rows
	// that send an expired or not-yet-valid assertion put it beyond.
	ClockSkew time.Duration

	Clock func() time.Time
	Rand  io.Reader
	HTTP  *client.Client
	// Sleep waits d or until ctx ends; the rotation suite waits only
	// through it, so tests can make waiting instant.
	Sleep func(ctx context.Context, d time.Duration) error
	// VirtualTime says Clock and Sleep are a virtual clock the target
	// shares (the in-process reference, package mockidp/clock): Sleep
	// advances it at once, so a wait costs no wall time and a context
	// deadline does not bound it (Leaves).
	VirtualTime bool
	// Rotation declares the target's client key caching (suite rotation).
	Rotation Rotation
	// Spares are the run's spare clients (Check.Spare); nil for none.
	Spares *Spares
	// base is the Env an OnSpare copy was made from, whose client A
	// answers the run's gates.
	base *Env
	// Verifier is the resource server under test (suite resource); its URL
	// is empty when none is configured. TokenIssuer mints the tokens it
	// must trust.
	Verifier    VerifierTarget
	TokenIssuer *tokenissuer.Issuer
	// TokenState is the target's introspection and revocation (suite
	// tokenstate).
	TokenState TokenState

	// Gates remembers the positive controls of this run (Gate): a row
	// whose control failed is ERROR, blocked, and sends nothing. Nil gates
	// nothing.
	Gates *Gates
	// RegistrationToken is the RFC 7591 §3 initial access token every
	// registration request carries (registration.initialAccessTokenEnv);
	// "" for open registration.
	RegistrationToken string
	// Secrets are values that must never appear in output.
	Secrets []string
	// Oracle is the harness's SSRF listener (U6); nil disables the
	// rows that need it.
	Oracle *oracle.Oracle
	// Baseline collects positive-control latencies for U7; nil disables U7.
	Baseline *Baseline
}

// DefaultAudience is the profile's default client-assertion aud (catalog.md
// §0.2 AUD*): the issuer under BIS, FAPI2, OIDC-E3 and BCP; the token
// endpoint URL under BASE and OIDC errata 2.
func (e *Env) DefaultAudience() string {
	if e.Audience != "" {
		return e.Audience
	}
	if e.Profile.Rules().IssuerAudience {
		return e.Target.Issuer
	}
	return e.Target.TokenEndpoint
}

func (e *Env) assertionTarget(p mockidp.Party) assertion.Target {
	return assertion.Target{
		Issuer:        e.Target.Issuer,
		TokenEndpoint: e.Target.TokenEndpoint,
		ClientID:      p.ID,
		OtherClientID: e.Cast.B.ID,
		TrustedIssuer: e.Cast.IdPH.ID,
		Subject:       e.Cast.User,
	}
}

// ClientDraft is the default client assertion CA{} for party p (catalog.md
// §0.2), with a fresh jti, before mutations.
func (e *Env) ClientDraft(p mockidp.Party) (*assertion.Draft, error) {
	if p.ID == "" && p.Name == "" {
		return nil, &Inapplicable{Reason: NoClient}
	}
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return nil, err
	}
	params := assertion.ClientParams{
		Target:   e.assertionTarget(p),
		Now:      e.Clock(),
		Audience: e.DefaultAudience(),
		Typed:    e.Profile.Rules().Typed,
		JTI:      jti,
	}
	if p.AuthMethod == oauth.AuthClientSecretJWT {
		params.Secret = []byte(p.Secret)
	} else if k, ok := p.Key(""); ok {
		params.Key = k
	} else {
		return nil, fmt.Errorf("party %s has no signing key", p.Name)
	}
	return assertion.Client(params), nil
}

// ClientAssertion signs the default client assertion for p with mutations.
func (e *Env) ClientAssertion(p mockidp.Party, ms ...assertion.Mutation) (string, error) {
	d, err := e.ClientDraft(p)
	if err != nil {
		return "", err
	}
	return d.Apply(ms...).Sign(e.Rand)
}

// GrantIssuer is the party that signs grant assertions under the
// configured trust model: the client named by Grant.Client under
// self-signed, else IdP-H (whose ID is the configured issuer, client_id or
// account id).
func (e *Env) GrantIssuer() mockidp.Party {
	if e.Grant.TrustModel == TrustSelfSigned {
		switch e.Grant.Client {
		case "A":
			return e.Cast.A
		case "B":
			return e.Cast.B
		case "P":
			return e.Cast.P
		}
	}
	return e.Cast.IdPH
}

// GrantSubject is the grant assertion's sub: the account itself under
// service-account (iss = sub), else the configured user.
func (e *Env) GrantSubject() string {
	if e.Grant.TrustModel == TrustServiceAccount {
		return e.GrantIssuer().ID
	}
	return e.Cast.User
}

// GrantAudience is the aud of the default grant assertion (RFC 7523 §3
// item 3): the issuer identifier, the token endpoint URL, or the
// configured value.
func (e *Env) GrantAudience() string {
	switch e.Grant.Audience {
	case "", AudienceIssuer:
		return e.Target.Issuer
	case AudienceTokenEndpoint:
		return e.Target.TokenEndpoint
	}
	return e.Grant.Audience
}

// GrantDraft is the default grant assertion GR{} from the grant issuer.
func (e *Env) GrantDraft() (*assertion.Draft, error) {
	jti, err := assertion.NewJTI(e.Rand)
	if err != nil {
		return nil, err
	}
	is := e.GrantIssuer()
	params := assertion.GrantParams{Now: e.Clock(), JTI: jti, Audience: e.GrantAudience()}
	if k, ok := is.Key(""); ok {
		if e.Grant.KID != "" {
			k = k.With(e.Grant.KID, k.Alg())
		}
		params.Key = k
	} else if is.Secret != "" {
		params.Secret, params.Alg, params.KID = []byte(is.Secret), is.SigningAlg, e.Grant.KID
	} else {
		return nil, fmt.Errorf("grant issuer %s has no signing key", is.Name)
	}
	params.Target = e.assertionTarget(e.Cast.A)
	params.Target.TrustedIssuer, params.Target.Subject = is.ID, e.GrantSubject()
	return assertion.Grant(params), nil
}

// GrantAssertion signs the default grant assertion with mutations.
func (e *Env) GrantAssertion(ms ...assertion.Mutation) (string, error) {
	d, err := e.GrantDraft()
	if err != nil {
		return "", err
	}
	return d.Apply(ms...).Sign(e.Rand)
}

// ClientAuthForm is the client_credentials form for p with jwt in client_assertion.
func ClientAuthForm(jwt string) client.Form {
	return client.Form{
		{Name: "grant_type", Value: oauth.GrantClientCreds},
		{Name: "client_assertion_type", Value: oauth.AssertionTypeJWT},
		{Name: "client_assertion", Value: jwt},
	}
}

// Post sends form to the token endpoint. It is the one place that adds
// what every token request carries: the configured scope (RFC 6749 §3.3)
// on client_credentials and grant requests that name none (a row about
// scope sets its own), and client S's HTTP Basic credentials on a grant
// request when the grant authenticates the client that way and the row
// sent no Authorization of its own.
func (e *Env) Post(ctx context.Context, form client.Form, header http.Header) (*client.Transcript, error) {
	form = e.WithScope(form)
	if form.Get("grant_type") == e.Grant.URN && e.GrantMethod() == oauth.AuthClientSecretBasic && header.Get("Authorization") == "" {
		header = header.Clone()
		if header == nil {
			header = http.Header{}
		}
		header.Set("Authorization", BasicAuth(e.Cast.S.ID, e.Cast.S.Secret))
	}
	return e.HTTP.Do(ctx, client.Request{URL: e.Target.TokenEndpoint, Form: form, Header: header})
}

// WithScope adds the configured scope (RFC 6749 §3.3) to a
// client_credentials or grant request that names none: what every token
// request carries, so that a target that requires a scope judges the row's
// own change. Post applies it; a row that sends its request another way
// (its own URL, its own framing) applies it itself.
func (e *Env) WithScope(form client.Form) client.Form {
	gt := form.Get("grant_type")
	if e.Scope != "" && (gt == oauth.GrantClientCreds || gt == e.Grant.URN) && !form.Has("scope") {
		return form.Add("scope", e.Scope)
	}
	return form
}

// BasicAuth is the Authorization value of client_secret_basic: id and
// secret form-encoded, then base64 (RFC 6749 §2.3.1).
func BasicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// Authenticate sends client_credentials for p with a client assertion built
// by ms (the carrier "client").
func (e *Env) Authenticate(ctx context.Context, p mockidp.Party, ms ...assertion.Mutation) (*client.Transcript, error) {
	jwt, err := e.ClientAssertion(p, ms...)
	if err != nil {
		return nil, err
	}
	return e.Post(ctx, ClientAuthForm(jwt), nil)
}

// GrantForm is a jwt-bearer grant request for the assertion, with the
// client authentication of Grant.Method: client A's or client H's client
// assertion, or client S's id and secret in the form (client_secret_post).
// client_secret_basic goes in the header, which Post adds.
func (e *Env) GrantForm(assertionJWT string) (client.Form, error) {
	form := client.Form{
		{Name: "grant_type", Value: e.Grant.URN},
		{Name: "assertion", Value: assertionJWT},
	}
	// A grant-only target configures no private_key_jwt client: an
	// optional client authentication is then left out (GrantMethod).
	switch e.GrantMethod() {
	case oauth.AuthPrivateKeyJWT, oauth.AuthClientSecretJWT:
		p := e.Cast.A
		if e.GrantMethod() == oauth.AuthClientSecretJWT {
			p = e.Cast.H
		}
		ca, err := e.ClientAssertion(p)
		if err != nil {
			return nil, err
		}
		form = form.Add("client_assertion_type", oauth.AssertionTypeJWT).Add("client_assertion", ca)
	case oauth.AuthClientSecretPost:
		form = form.Add("client_id", e.Cast.S.ID).Add("client_secret", e.Cast.S.Secret)
	}
	return form, nil
}

// BearerGrant sends a jwt-bearer grant whose assertion is built by ms (the carrier "grant").
func (e *Env) BearerGrant(ctx context.Context, ms ...assertion.Mutation) (*client.Transcript, error) {
	jwt, err := e.GrantAssertion(ms...)
	if err != nil {
		return nil, err
	}
	form, err := e.GrantForm(jwt)
	if err != nil {
		return nil, err
	}
	return e.Post(ctx, form, nil)
}

// Send runs a mutated request on the given carrier.
func (e *Env) Send(ctx context.Context, c Carrier, ms ...assertion.Mutation) (*client.Transcript, error) {
	if c == Grant {
		return e.BearerGrant(ctx, ms...)
	}
	return e.Authenticate(ctx, e.Cast.A, ms...)
}

// Control runs the positive control of a carrier: an unmodified request that
// must yield a token (design.md R8). It returns the transcript and whether
// a token was issued.
func (e *Env) Control(ctx context.Context, c Carrier) (*client.Transcript, bool, error) {
	tr, err := e.Send(ctx, c)
	if err != nil {
		return tr, false, err
	}
	issued := tr.Status == http.StatusOK && tr.AccessToken() != ""
	if issued && e.Baseline != nil {
		e.Baseline.Add(c, tr.Duration)
	}
	return tr, issued, nil
}

// NeedsGrantLifetimeBound is NeedsLifetimeBound for a grant assertion.
func NeedsGrantLifetimeBound(e *Env) string {
	if e.MaxGrantLifetime <= 0 {
		return "the target declares no maximum grant assertion lifetime (timeouts.maxGrantLifetime); RFC 7523 §3 item 4 only lets a server refuse a far exp"
	}
	return ""
}

// NeedsLifetimeBound is a Row.Needs for the rows that judge a far exp: they
// apply only where the target declares its maximum assertion lifetime,
// since RFC 7523 §3 item 4 makes refusing one a MAY.
func NeedsLifetimeBound(e *Env) string {
	if e.MaxAssertionLifetime <= 0 {
		return "the target declares no maximum assertion lifetime (timeouts.maxAssertionLifetime); RFC 7523 §3 item 4 only lets a server refuse a far exp"
	}
	return ""
}

// BeyondSkew is d, or the declared clock skew plus a minute when that is
// longer: how far past exp, or before nbf, an assertion must be for any
// target to count it as expired or not yet valid.
func (e *Env) BeyondSkew(d time.Duration) time.Duration {
	return max(d, e.ClockSkew+time.Minute)
}
