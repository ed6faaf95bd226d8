// Package config is assay's one configuration type, Config v1, read from
// YAML.
//
// The file is read first, over Default(); the runner then applies the flags
// that were set explicitly, and only then calls Validate, which reports
// every problem at once as *FieldError values with a dotted path
// ("clients.A.signingAlg"). Decoding is strict: an unknown field is an
// error naming its path and line.
//
// Secrets never appear in the file: a secret client names the environment
// variable that holds its secret (SecretEnv), and no error message ever
// contains an environment variable's value.
package config

import (
	"encoding/json"
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/assayhq/assay/mockidp/profile"
)

// Version is the only config version this package reads.
const Version = "v1"

// Config is a whole assay run: what to test, under which profile, with
// which clients, and how long to wait.
type Config struct {
	// Version must be "v1".
	Version string `yaml:"version"`
	// Name is the target's name in reports; empty means the runner derives
	// one from the target.
	Name   string `yaml:"name"`
	Target Target `yaml:"target"`
	// Profile selects the expected results: BASE (default), OIDC, OIDC-E3,
	// BIS, FAPI2 or BCP (catalog §0.1).
	Profile      profile.Profile `yaml:"profile"`
	MockIdP      MockIdP         `yaml:"mockidp"`
	Clients      Clients         `yaml:"clients"`
	Registration Registration    `yaml:"registration"`
	Grant        Grant           `yaml:"grant"`
	// Audience overrides the client assertion's aud; empty means the
	// profile default (catalog §0.2, AUD*).
	Audience string `yaml:"audience"`
	// Scope is sent with token requests when set (RFC 6749 §3.3).
	Scope    string   `yaml:"scope"`
	Timeouts Timeouts `yaml:"timeouts"`
	// Rotation declares how the target caches client keys, so that the
	// rotation suite waits the right time (OIDC Core §10.1.1).
	Rotation Rotation `yaml:"rotation"`
	// Verifier is a resource server or gateway on the target that takes
	// bearer tokens (RFC 6750); the resource suite runs only when it is set.
	Verifier *Verifier `yaml:"verifier"`
	// TokenState configures the token state suite: RFC 7662 introspection
	// and RFC 7009 revocation of the tokens the target issues.
	TokenState TokenState `yaml:"tokenState"`
	// ExpectedFailures lists checks known to fail against this target; a
	// listed FAIL does not change the exit code (semantics §3). Entries
	// from ExpectedFailuresFile are appended here by Parse.
	ExpectedFailures []Expected `yaml:"expectedFailures"`
	// ExpectedFailuresFile is a YAML list of the same entries (a baseline),
	// relative to the config file's directory.
	ExpectedFailuresFile string `yaml:"expectedFailuresFile"`
}

// Kinds of target.
const (
	KindReference = "reference" // assay's own strict reference endpoint, in process
	KindURL       = "url"       // already running somewhere
	KindProcess   = "process"   // a local command assay starts and stops
	KindContainer = "container" // a Docker container assay starts and removes
)

// Target says what is tested and how assay reaches or runs it.
type Target struct {
	// Kind is reference (default), url, process or container.
	Kind string `yaml:"kind"`
	// Issuer is the authorization server's issuer identifier (RFC 8414
	// §2): https, or http on a loopback host only. Required for url and
	// process; for container, empty means https://127.0.0.1:<mapped port>.
	Issuer string `yaml:"issuer"`
	// TokenEndpoint and MetadataURL override discovery.
	TokenEndpoint string `yaml:"tokenEndpoint"`
	MetadataURL   string `yaml:"metadataURL"`
	// IntrospectionEndpoint (RFC 7662) and RevocationEndpoint (RFC 7009)
	// override the metadata's introspection_endpoint and
	// revocation_endpoint; the token state suite uses them.
	IntrospectionEndpoint string `yaml:"introspectionEndpoint"`
	RevocationEndpoint    string `yaml:"revocationEndpoint"`
	// CAFile is a PEM bundle the target's TLS certificate chains to.
	CAFile string `yaml:"caFile"`
	// InsecureSkipVerify turns TLS certificate verification off. Reports
	// say so.
	InsecureSkipVerify bool `yaml:"insecureSkipVerify"`
	// Product and Version describe the target in reports.
	Product string `yaml:"product"`
	Version string `yaml:"version"`

	Process   *Process   `yaml:"process"`   // kind process only
	Container *Container `yaml:"container"` // kind container only
	Reference *Reference `yaml:"reference"` // kind reference only
}

// Process is a target assay starts as a local command.
type Process struct {
	// Command is the program and its arguments. A relative program path
	// containing a slash is resolved against the config file's directory.
	Command []string `yaml:"command"`
	// Dir is the working directory, relative to the config file.
	Dir string `yaml:"dir"`
	// Env is added to assay's own environment.
	Env   map[string]string `yaml:"env"`
	Ready Ready             `yaml:"ready"`
}

// Container is a target assay runs in Docker. Nothing is pulled: Image must
// be local, or Build makes it from a Dockerfile.
type Container struct {
	Image string            `yaml:"image"`
	Build *Build            `yaml:"build"`
	Env   map[string]string `yaml:"env"`
	// Ports are container ports to publish, "8443" or "8443/tcp"; the
	// first serves the issuer.
	Ports []string `yaml:"ports"`
	// Cmd overrides the image's CMD.
	Cmd   []string `yaml:"cmd"`
	Ready Ready    `yaml:"ready"`
}

// Build makes a container image from a Dockerfile.
type Build struct {
	// Context is the build context directory, relative to the config file.
	Context string `yaml:"context"`
	// Dockerfile is relative to Context; default "Dockerfile".
	Dockerfile string            `yaml:"dockerfile"`
	BuildArgs  map[string]string `yaml:"buildArgs"`
}

// Ready says when a started target is ready. At least one of URL, Port and
// Log is required.
type Ready struct {
	// URL is polled with GET until it answers below 500. For a process it
	// is an absolute http(s) URL; for a container, a path ("/health")
	// requested on the host port mapped to Port.
	URL string `yaml:"url"`
	// Port is a TCP port: dialled on 127.0.0.1 for a process; for a
	// container, the container port URL is requested on (default the
	// first of ports).
	Port string `yaml:"port"`
	// Log is a substring of an output line that signals readiness.
	Log string `yaml:"log"`
	// Timeout bounds the wait; zero means timeouts.start.
	Timeout Duration `yaml:"timeout"`
}

// Reference configures the built-in reference endpoint.
type Reference struct {
	// Defects switches on named deliberate defects (mockidp/defect), for
	// demonstrating that checks fail.
	Defects []string `yaml:"defects"`
}

// MockIdP is the harness's own server: client JWKS, IdP-H and the SSRF
// listener.
type MockIdP struct {
	// Listen is the bind address. Empty means 127.0.0.1:0, except for a
	// container target, where the runner binds the docker bridge address
	// (target.MockIdPBindHost): a container cannot reach the host's
	// loopback.
	Listen string `yaml:"listen"`
	// PublicURL is the base URL the target uses to reach the mock IdP;
	// empty means derived from the listener (host.docker.internal for
	// containers).
	PublicURL string `yaml:"publicURL"`
}

// Clients are the target's registered clients (catalog §0.4).
type Clients struct {
	// A and B authenticate with private_key_jwt and come as a pair; a
	// grant-only target names neither (the client-assertion checks are
	// then N/A), any other url, process or container target both.
	A *Client `yaml:"A"`
	B *Client `yaml:"B"`
	// P is registered with token_endpoint_auth_signing_alg PS256
	// (A-AU-11); optional.
	P *Client `yaml:"P"`
	// H authenticates with client_secret_jwt; optional.
	H *SecretClient `yaml:"H"`
	// S authenticates with client_secret_basic; optional.
	S *SecretClient `yaml:"S"`
	// Spares is how many spare clients are registered like A (its keys
	// and signingAlg), spare i with jwks_uri <mock IdP>/jwks/a<i>.json:
	// each rotation scenario runs on one of its own, so that in a parallel
	// run the scenarios wait on the target's key cache side by side, not
	// one after another. Dynamic and command registration register them;
	// with static registration SpareIDs names them. Optional, needs A.
	Spares int `yaml:"spares"`
	// SpareIDs are the client_ids of the spare clients under static
	// registration, spare 1 first; Spares defaults to their number.
	SpareIDs []string `yaml:"spareIDs"`
}

// SpareCount is how many spare clients the run has (Clients.Spares, or
// the number of SpareIDs).
func (c Clients) SpareCount() int { return max(c.Spares, len(c.SpareIDs)) }

// Key sources for Client.Keys.
const (
	KeysFixture  = "fixture"  // the committed test keys (fixtures/keys)
	KeysGenerate = "generate" // fresh keys for this run
)

// Client is a private_key_jwt client.
type Client struct {
	// ID is the client_id. Required with static registration; with
	// dynamic or command registration the target assigns it.
	ID string `yaml:"id"`
	// Keys is "fixture" (default), "generate", or the path of a private
	// JWKS file relative to the config file.
	Keys string `yaml:"keys"`
	// SigningAlg is ES256 (default; PS256 for client P), PS256, RS256 or
	// EdDSA: the client's token_endpoint_auth_signing_alg, declared when
	// assay registers it and the algorithm it signs with. A server must
	// refuse any other from it (OIDC Registration §2), so rows that need
	// another key type use another client or are N/A.
	SigningAlg string `yaml:"signingAlg"`
}

// SecretClient is a client with a shared secret.
type SecretClient struct {
	ID string `yaml:"id"`
	// SecretEnv names the environment variable that holds the secret. The
	// secret itself never goes in the file.
	// With dynamic registration it may be empty: the server assigns the
	// secret.
	SecretEnv string `yaml:"secretEnv"`
}

// Registration modes.
const (
	RegistrationStatic  = "static"  // clients are pre-registered; the file gives their IDs
	RegistrationDynamic = "dynamic" // RFC 7591 dynamic client registration
	RegistrationCommand = "command" // a hook command registers each client
)

// Registration says how clients A, B, P, H and S become known to the target.
type Registration struct {
	// Mode is static (default), dynamic or command.
	Mode string `yaml:"mode"`
	// Endpoint is the RFC 7591 registration endpoint (dynamic only); empty
	// means registration_endpoint from the metadata.
	Endpoint string `yaml:"endpoint"`
	// InitialAccessTokenEnv names the environment variable holding an
	// RFC 7591 §3 initial access token, sent on every registration request:
	// dynamic registration of the clients, and the rows that register
	// clients of their own (A-KR-06, A-JO-16, A-SEC-03) in any mode.
	InitialAccessTokenEnv string `yaml:"initialAccessTokenEnv"`
	// Command is the registration hook (command only): client metadata
	// JSON on stdin, the client_id on stdout.
	Command []string `yaml:"command"`
	// TrustIssuerCommand is a hook that makes the target trust IdP-H for
	// the JWT bearer grant (any mode); runner/provision defines its input.
	TrustIssuerCommand []string `yaml:"trustIssuerCommand"`
}

// Grant URNs (RFC 7523 §2.1; the legacy one per catalog §0.5).
const (
	GrantURN       = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	GrantURNLegacy = "http://oauth.net/grant_type/jwt/1.0/bearer"
)

// Grant trust models (catalog §0.5).
const (
	TrustExternalIssuer = "external-issuer"
	TrustSelfSigned     = "self-signed"
	TrustServiceAccount = "service-account"
)

// Client authentication on the grant request.
const (
	ClientAuthRequired = "required"
	ClientAuthOptional = "optional"
	ClientAuthNone     = "none"
)

// How assay authenticates the client on a grant request
// (grant.clientAuthMethod; RFC 7521 §4.2, RFC 6749 §2.3.1).
const (
	AuthNone              = "none"
	AuthPrivateKeyJWT     = "private_key_jwt"     // client A's client assertion
	AuthClientSecretJWT   = "client_secret_jwt"   // client H's client assertion
	AuthClientSecretBasic = "client_secret_basic" // client S's id and secret, HTTP Basic
	AuthClientSecretPost  = "client_secret_post"  // client S's id and secret in the form
)

// Grant audiences (grant.audience); any other value is sent verbatim.
const (
	AudienceIssuer        = "issuer"
	AudienceTokenEndpoint = "tokenEndpoint"
)

// Grant configures the JWT bearer authorization grant (RFC 7523 §2.1).
type Grant struct {
	// Enabled switches the grant checks; default true.
	Enabled *bool `yaml:"enabled"`
	// URN is the grant_type value; default GrantURN.
	URN string `yaml:"urn"`
	// TrustModel says who signs the grant assertion (catalog §0.5):
	// external-issuer (default: IdP-H, iss = Issuer, sub = Subject),
	// self-signed (iss = a client's id, signed with that client's
	// registered key, sub = Subject: the certificate-upload style) or
	// service-account (iss = sub = the account id Issuer, signed with a
	// key the server issued, given by Key).
	TrustModel string `yaml:"trustModel"`
	// Issuer is the assertion's iss: IdP-H's issuer identifier
	// (external-issuer), the client_id (self-signed without Client) or
	// the account id (service-account); default https://idp-h.assay.test.
	// Under service-account a key file that names its account (zitadel's
	// userId) sets it when Issuer is left at the default.
	Issuer string `yaml:"issuer"`
	// Client, under self-signed, names the configured client (A, B or P)
	// whose id is iss and whose key signs; empty means Issuer and Key.
	Client string `yaml:"client"`
	// Key is a file, relative to the config file, holding the private key
	// the grant assertion is signed with: a JWK, a JWK Set (its first key),
	// PEM (PKCS #1, PKCS #8 or SEC 1) or a zitadel service-account key
	// JSON ({"type":"serviceaccount","keyId","key","userId"}); RSA, EC
	// P-256/P-384 or Ed25519. Empty means IdP-H's fixture key (EdDSA) or a
	// key made for the run (SigningAlg); both are published at IdP-H's
	// jwks_uri.
	Key string `yaml:"key"`
	// KID is the kid header of grant assertions; empty means the key's
	// own (JWK kid, zitadel keyId), and none for a PEM key or a secret.
	KID string `yaml:"kid"`
	// SecretEnv names the environment variable holding a shared secret
	// the grant issuer signs with (SigningAlg HS256, HS384 or HS512), for
	// issuers with a symmetric key. Exclusive with Key.
	SecretEnv string `yaml:"secretEnv"`
	// Audience is the assertion's aud: issuer (default, the target's
	// issuer identifier), tokenEndpoint (its token endpoint URL), or any
	// other string, sent as is (a login URL, a client_id). The positive
	// control sends it; the wrong-audience rows send something else.
	Audience string `yaml:"audience"`
	// ClientAuth says whether the target requires client authentication
	// on a grant request: required, optional (default) or none.
	ClientAuth string `yaml:"clientAuth"`
	// ClientAuthMethod is how assay authenticates the client on a grant
	// request: private_key_jwt (client A), client_secret_jwt (client H),
	// client_secret_basic or client_secret_post (client S's id and secret:
	// some gateways want both in the form with the assertion) or none.
	// Empty means none when ClientAuth is none, else private_key_jwt.
	ClientAuthMethod string `yaml:"clientAuthMethod"`
	// Subject is the grant assertion's sub; default user1. Under
	// service-account sub is the account id, Issuer.
	Subject string `yaml:"subject"`
	// KnownSubjects are the subjects IdP-H may assert at the target, when
	// its operators restrict them. Listed, a grant for another subject must
	// be refused with invalid_grant (A-JG-04.2); empty, which subjects the
	// server takes is its own policy (RFC 7523 §3 item 2) and that row is
	// N/A.
	KnownSubjects []string `yaml:"knownSubjects"`
	// SigningAlg is the algorithm the grant issuer signs with: EdDSA
	// (default, IdP-H's committed fixture key), ES256, PS256 or RS256 (a
	// key made for the run, or Key's), HS256, HS384 or HS512 (SecretEnv).
	// A server whose JWT bearer verifier takes no EdDSA needs another.
	// With a Key whose type does not fit it, the key's own algorithm is
	// used (its JWK alg, else RS256, ES256/ES384 or EdDSA by type).
	SigningAlg string `yaml:"signingAlg"`
}

// AuthMethod is how assay authenticates the client on grant requests:
// ClientAuthMethod, or its default from ClientAuth.
func (g Grant) AuthMethod() string {
	switch {
	case g.ClientAuthMethod != "":
		return g.ClientAuthMethod
	case g.ClientAuth == ClientAuthNone:
		return AuthNone
	}
	return AuthPrivateKeyJWT
}

// VerifierOnly reports whether the target is a verifier and nothing else:
// a url or process target with a verifier and neither an issuer nor a
// token endpoint. (A container's empty issuer means the one derived from
// its published port.)
func (c Config) VerifierOnly() bool {
	k := c.Target.Kind
	return c.Verifier != nil && (k == KindURL || k == KindProcess) && c.Target.Issuer == "" && c.Target.TokenEndpoint == ""
}

// On reports whether the grant checks run.
func (g Grant) On() bool { return g.Enabled == nil || *g.Enabled }

// Asked reports whether the file itself says enabled: true. Then the grant
// rows run even when the target's metadata does not list the grant type;
// by default they run only when the metadata lists it (or lists no grant
// types at all).
func (g Grant) Asked() bool { return g.Enabled != nil && *g.Enabled }

// Timeouts are the run's time bounds. Each says who sets it.
type Timeouts struct {
	// Request bounds one HTTP exchange with the target. No spec sets it
	// (RFC 6749 has no latency bound); 10 s keeps a hung target from
	// stalling the run, and such a request is an ERROR (semantics §2).
	Request Duration `yaml:"request"`
	// Start bounds starting a process or container target until its
	// readiness probe succeeds. No spec sets it; 60 s covers a cold JVM.
	Start Duration `yaml:"start"`
	// ClockSkew is the leeway the target allows on exp, nbf and iat (RFC
	// 7519 §4.1.4; .NET's default is 5 minutes). Rows that send an
	// expired or not-yet-valid assertion put it at least a minute beyond
	// (A-CA-12, A-CA-14, B-CLM-09, A-JG-05). Under FAPI2 it is at most
	// 60 s (FAPI 2.0 Security Profile §5.3.2.1 item 13).
	ClockSkew Duration `yaml:"clockSkew"`
	// Check bounds one check, positive controls included. No spec sets
	// it; it must exceed Request. Latency findings use the separate U7
	// rule (catalog §0.3: control median + 1 s).
	Check Duration `yaml:"check"`
	// MaxAssertionLifetime is the longest exp - now the target says it
	// accepts in an assertion. RFC 7523 §3 item 4 lets a server refuse an
	// exp "unreasonably far in the future" and sets no number; declared,
	// the BCP profile checks that an exp past it is refused (A-CA-13,
	// B-CLM-10); zero leaves those rows N/A.
	MaxAssertionLifetime Duration `yaml:"maxAssertionLifetime"`
	// MaxGrantLifetime is the same bound for a jwt-bearer grant's
	// assertion (RFC 7523 §3 item 4 again): declared, the BCP profile
	// checks that a grant exp past it is refused (A-JG-05.2); zero leaves
	// the row N/A.
	MaxGrantLifetime Duration `yaml:"maxGrantLifetime"`
}

// Rotation is the target's client key caching, as its operators declare it.
// Zero values take assay's defaults: a 5 min cache, 5 s margin, 1 s between
// unknown-kid refetches, a 6 s jwks_uri stall, waits of at most 20 s.
type Rotation struct {
	// KeyCacheTTL is the longest the target uses a fetched client JWKS; a
	// removed key must be refused after it (catalog A-KR-03).
	KeyCacheTTL Duration `yaml:"keyCacheTTL"`
	// Margin is added to every wait on KeyCacheTTL.
	Margin Duration `yaml:"margin"`
	// RefetchMin is the least time the target leaves between two
	// unknown-kid refetches of one JWKS (A-KR-07).
	RefetchMin Duration `yaml:"refetchMin"`
	// Stall is how long the hosted JWKS stalls in the timeout scenario; it
	// should exceed the target's own fetch timeout.
	Stall Duration `yaml:"stall"`
	// MaxWait is the longest one check may wait; a scenario needing more is
	// N/A and says how long it would take. Raise timeouts.check with it.
	MaxWait Duration `yaml:"maxWait"`
}

// Verifier is a URL on the target that validates JWTs issued by assay's
// token issuer IdP-V (served by the mock IdP at <publicURL>/idp-v, with
// discovery and a rotating jwks_uri, or signing with a shared secret):
// configure the target to trust it. A url or process config with a
// verifier and no target.issuer or target.tokenEndpoint tests a verifier
// only (a relying party, a policy decision point): the token-endpoint
// suites are N/A.
type Verifier struct {
	// URL is the protected resource (or the decision endpoint).
	URL string `yaml:"url"`
	// Audience is the aud the target expects: a resource identifier, or a
	// relying party's client_id.
	Audience string `yaml:"audience"`
	// Kind is what the verifier takes: access (default; RFC 9068 access
	// tokens, typ at+jwt), id_token (a relying party taking OpenID Connect
	// ID Tokens, OIDC Core §3.1.3.7) or jwt (a plain JWT, RFC 7519).
	Kind string `yaml:"kind"`
	// Request is how a token is presented; default GET with
	// Authorization: Bearer.
	Request VerifierRequest `yaml:"request"`
	// Allow is the answer that means the token was accepted; default any
	// 2xx. Deny, when set, is the answer that means refused; an answer
	// matching neither is then an ERROR.
	Allow *DecisionRule `yaml:"allow"`
	Deny  *DecisionRule `yaml:"deny"`
	// Scope is a scope the resource requires: tokens carry it, and one
	// without it must get 403 insufficient_scope (RFC 6750 §3.1).
	Scope string `yaml:"scope"`
	// Claims are claims the verifier requires, with their values (e.g.
	// Role: Manager): tokens carry them, rows leave them out or change them.
	Claims map[string]string `yaml:"claims"`
	// Nonce is the nonce a relying party checks in ID Tokens (kind
	// id_token only).
	Nonce string `yaml:"nonce"`
	// Issuer is how IdP-V signs for this verifier.
	Issuer TokenIssuer `yaml:"issuer"`
}

// VerifierRequest is the request template a token is presented in.
type VerifierRequest struct {
	// Method is the HTTP method; default GET for bearer, POST otherwise.
	Method string `yaml:"method"`
	// Headers are sent with every request.
	Headers map[string]string `yaml:"headers"`
	// HeadersFromEnv are headers whose values are read from environment
	// variables (header name: variable name), e.g. a session token; their
	// values are redacted in reports.
	HeadersFromEnv map[string]string `yaml:"headersFromEnv"`
	// Token is where the token goes: bearer (default, Authorization:
	// Bearer), form (a POST form field named Field) or json (Body, with
	// ${token} where the token goes).
	Token string `yaml:"token"`
	Field string `yaml:"field"`
	Body  string `yaml:"body"`
}

// DecisionRule matches a verifier's answer: its status is one of Status
// (none listed: any 2xx) and, when Pointer is set, the JSON value at that
// RFC 6901 pointer in the body equals Value.
type DecisionRule struct {
	Status  []string  `yaml:"status"`
	Pointer string    `yaml:"pointer"`
	Value   JSONValue `yaml:"value"`
}

// JSONValue is any YAML value, kept as JSON.
type JSONValue struct{ JSON []byte }

// UnmarshalYAML implements yaml.Unmarshaler.
func (j *JSONValue) UnmarshalYAML(n *yaml.Node) error {
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("not a JSON value: %w", err)
	}
	j.JSON = b
	return nil
}

// TokenIssuer is how IdP-V signs the verifier's tokens.
type TokenIssuer struct {
	// Alg is ES256 (default), RS256, PS256 or EdDSA (rotating keys at
	// IdP-V's jwks_uri), or HS256, HS384 or HS512 keyed with the secret
	// in SecretEnv.
	Alg       string `yaml:"alg"`
	SecretEnv string `yaml:"secretEnv"`
	// Iss is the iss claim; default IdP-V's URL (<mock IdP>/idp-v). An
	// HMAC verifier usually compares it to a configured string.
	Iss string `yaml:"iss"`
	// Typ is the header's typ; default at+jwt for kind access, JWT
	// otherwise.
	Typ string `yaml:"typ"`
}

// Where the token state suite gets its tokens.
const (
	TokenFromClient  = "client"  // client_credentials, authenticated as tokenState.client
	TokenFromGrant   = "grant"   // the jwt-bearer grant from IdP-H (grant.*)
	TokenFromCommand = "command" // tokenState.tokenCommand prints one
)

// TokenState configures the token state suite (C-INT-*, C-REV-*): it
// obtains tokens from the target, introspects them (RFC 7662), revokes them
// (RFC 7009) and presents revoked ones to a resource that consults
// introspection. Its rows run where the target offers an endpoint (in the
// metadata, or target.introspectionEndpoint / target.revocationEndpoint)
// and are N/A otherwise.
type TokenState struct {
	// Enabled switches the suite; default true.
	Enabled *bool `yaml:"enabled"`
	// Client is the client that authenticates to both endpoints, by its
	// own method, and to which tokenFrom client tokens are issued: A
	// (default), B, P, H or S. RFC 7009 §2.1 lets a client revoke only its
	// own tokens, so with tokenFrom grant or command the token must be
	// issued to this client too.
	Client string `yaml:"client"`
	// OtherClient is a second client (A, B, P, H or S) that tries to
	// revoke Client's token and must not succeed (C-REV-05); empty: that
	// row is N/A.
	OtherClient string `yaml:"otherClient"`
	// TokenFrom is client (default: client_credentials as Client, with
	// the config's scope), grant (the jwt-bearer grant as configured under
	// grant) or command (TokenCommand).
	TokenFrom string `yaml:"tokenFrom"`
	// TokenCommand (tokenFrom command) prints one fresh access token on
	// stdout; it gets the hook environment (ASSAY_ISSUER,
	// ASSAY_TOKEN_ENDPOINT, ASSAY_MOCKIDP_URL) and an empty JSON object
	// on stdin. A relative program path is the config file's.
	TokenCommand []string `yaml:"tokenCommand"`
	// Resource is a URL on the target that takes Authorization: Bearer
	// tokens and consults introspection; C-REV-03 presents a revoked token
	// there. Empty: C-REV-03 is N/A.
	Resource string `yaml:"resource"`
	// MaxWait is the longest C-INT-03 waits for an issued token to expire
	// (its exp, plus 11 s of leeway); zero means 20 s, or half of
	// timeouts.check when that is shorter. It must stay below
	// timeouts.check.
	MaxWait Duration `yaml:"maxWait"`
}

// On reports whether the token state suite runs.
func (t TokenState) On() bool { return t.Enabled == nil || *t.Enabled }

// Expected is one expected failure: a check ID (catalog.md), optionally
// narrowed to a carrier, and why it is expected.
type Expected struct {
	// ID is "A-CA-05", "A-CA-05.2" or "B-ALG-06/client".
	ID     string `yaml:"id"`
	Reason string `yaml:"reason"`
	// Source is "" for an entry of the config file itself, or the
	// expectedFailuresFile path it was read from.
	Source string `yaml:"-"`
}

// Defaults.
const (
	DefaultListen     = "127.0.0.1:0"
	DefaultIssuerH    = "https://idp-h.assay.test"
	DefaultGrantAlg   = "EdDSA" // IdP-H's fixture key
	DefaultSubject    = "user1"
	DefaultSigningAlg = "ES256"
)

// Default returns the configuration of a run against the built-in
// reference endpoint under the BASE profile.
func Default() Config {
	tsOn := true
	return Config{
		Version: Version,
		Target:  Target{Kind: KindReference},
		Profile: profile.BASE,
		MockIdP: MockIdP{Listen: DefaultListen},
		Registration: Registration{
			Mode: RegistrationStatic,
		},
		Grant: Grant{
			// Enabled stays unset: on, unless the metadata says the target
			// does not take the grant (Asked).
			URN:        GrantURN,
			TrustModel: TrustExternalIssuer,
			Issuer:     DefaultIssuerH,
			ClientAuth: ClientAuthOptional,
			Subject:    DefaultSubject,
			SigningAlg: DefaultGrantAlg,
			Audience:   AudienceIssuer,
		},
		TokenState: TokenState{
			Enabled:   &tsOn, // its own pointer: the decoder writes through it
			Client:    "A",
			TokenFrom: TokenFromClient,
		},
		Timeouts: Timeouts{
			Request:   Duration{10 * time.Second},
			Start:     Duration{60 * time.Second},
			ClockSkew: Duration{10 * time.Second},
			Check:     Duration{30 * time.Second},
		},
	}
}
