package config

import (
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/mockidp/profile"
)

func urlConfig() Config {
	c := Default()
	c.Target = Target{Kind: KindURL, Issuer: "https://as.example"}
	c.Clients = Clients{
		A: &Client{ID: "a", Keys: KeysFixture, SigningAlg: "ES256"},
		B: &Client{ID: "b", Keys: KeysFixture, SigningAlg: "ES256"},
	}
	return c
}

func processConfig() Config {
	c := urlConfig()
	c.Target = Target{Kind: KindProcess, Issuer: "http://127.0.0.1:8080", Process: &Process{
		Command: []string{"./as", "--port", "8080"},
		Ready:   Ready{URL: "http://127.0.0.1:8080/health"},
	}}
	return c
}

func containerConfig() Config {
	c := urlConfig()
	c.MockIdP.Listen = ""
	c.Target = Target{Kind: KindContainer, Container: &Container{
		Image: "example-as:dev",
		Ports: []string{"8443/tcp"},
		Ready: Ready{URL: "/health"},
	}}
	return c
}

func TestValidate(t *testing.T) {
	type row struct {
		name   string
		base   func() Config
		mutate func(*Config)
		want   []string // "path: message substring", in order; nil means valid
	}
	rows := []row{
		// version and profile
		{"valid url config", urlConfig, func(*Config) {}, nil},
		{"valid process config", processConfig, func(*Config) {}, nil},
		{"valid container config", containerConfig, func(*Config) {}, nil},
		{"version missing", urlConfig, func(c *Config) { c.Version = "" }, []string{"version: required (want v1)"}},
		{"version unsupported", urlConfig, func(c *Config) { c.Version = "v2" }, []string{`version: unsupported version "v2" (want v1)`}},
		{"profile missing", urlConfig, func(c *Config) { c.Profile = "" }, []string{"profile: required (want one of BASE, OIDC, OIDC-E3, BIS, FAPI2, BCP)"}},
		{"profile unknown", urlConfig, func(c *Config) { c.Profile = "fapi2" }, []string{`profile: unknown profile "fapi2"`}},

		// target kind and sections
		{"kind missing", urlConfig, func(c *Config) { c.Target.Kind = "" }, []string{"target.kind: required (want one of reference, url, process, container)"}},
		{"kind unknown", urlConfig, func(c *Config) { c.Target.Kind = "docker" }, []string{`target.kind: unknown kind "docker"`}},
		{"process section under url", urlConfig, func(c *Config) { c.Target.Process = &Process{} }, []string{"target.process: only allowed with kind process"}},
		{"container section under process", processConfig, func(c *Config) { c.Target.Container = &Container{} }, []string{"target.container: only allowed with kind container"}},
		{"reference section under url", urlConfig, func(c *Config) { c.Target.Reference = &Reference{} }, []string{"target.reference: only allowed with kind reference"}},

		// reference
		{"reference with defects", Default, func(c *Config) { c.Target.Reference = &Reference{Defects: []string{"IgnoreAudience", "AcceptAlgNone"}} }, nil},
		{"reference sets its own URLs", Default, func(c *Config) { c.Target.Issuer, c.Target.CAFile = "https://x", "ca.pem" }, []string{
			"target.issuer: not used with kind reference", "target.caFile: not used with kind reference"}},
		{"reference TLS switch", Default, func(c *Config) { c.Target.InsecureSkipVerify = true }, []string{"target.insecureSkipVerify: not used with kind reference"}},
		{"reference defect empty and twice", Default, func(c *Config) { c.Target.Reference = &Reference{Defects: []string{"X", "", "X"}} }, []string{
			"target.reference.defects[1]: empty defect name", `target.reference.defects[2]: defect "X" listed twice (also defects[0])`}},
		{"reference needs no clients", Default, func(c *Config) { c.Clients = Clients{} }, nil},
		{"reference clients need no id", Default, func(c *Config) { c.Clients.A = &Client{Keys: KeysFixture, SigningAlg: "EdDSA"} }, nil},

		// issuer and server URLs
		{"issuer required for url", urlConfig, func(c *Config) { c.Target.Issuer = "" }, []string{"target.issuer: required for kind url"}},
		{"issuer required for process", processConfig, func(c *Config) { c.Target.Issuer = "" }, []string{"target.issuer: required for kind process"}},
		{"issuer optional for container", containerConfig, func(c *Config) { c.Target.Issuer = "" }, nil},
		{"issuer http on loopback v4", urlConfig, func(c *Config) { c.Target.Issuer = "http://127.0.0.2:8080" }, nil},
		{"issuer http on localhost", urlConfig, func(c *Config) { c.Target.Issuer = "http://localhost:8080/realms/x" }, nil},
		{"issuer http on loopback v6", urlConfig, func(c *Config) { c.Target.Issuer = "http://[::1]:8080" }, nil},
		{"issuer http elsewhere", urlConfig, func(c *Config) { c.Target.Issuer = "http://as.example" }, []string{"target.issuer: http is allowed only on a loopback host; use https"}},
		{"issuer http on host.docker.internal", containerConfig, func(c *Config) { c.Target.Issuer = "http://host.docker.internal:8080" }, []string{"target.issuer: http is allowed only on a loopback host"}},
		{"issuer with query", urlConfig, func(c *Config) { c.Target.Issuer = "https://as.example?tenant=1" }, []string{"target.issuer: an issuer has no query component (RFC 8414 §2)"}},
		{"issuer with fragment", urlConfig, func(c *Config) { c.Target.Issuer = "https://as.example#x" }, []string{"target.issuer: must not contain a fragment"}},
		{"issuer with empty fragment", urlConfig, func(c *Config) { c.Target.Issuer = "https://as.example#" }, []string{"target.issuer: must not contain a fragment"}},
		{"issuer relative", urlConfig, func(c *Config) { c.Target.Issuer = "as.example" }, []string{`target.issuer: want an absolute https URL, got "as.example"`}},
		{"issuer other scheme", urlConfig, func(c *Config) { c.Target.Issuer = "ftp://as.example" }, []string{`target.issuer: want an https URL, got scheme "ftp"`}},
		{"issuer with user info", urlConfig, func(c *Config) { c.Target.Issuer = "https://u:p@as.example" }, []string{"target.issuer: must not contain user info"}},
		{"token endpoint over http", urlConfig, func(c *Config) { c.Target.TokenEndpoint = "http://as.example/token" }, []string{"target.tokenEndpoint: http is allowed only on a loopback host"}},
		{"token endpoint may have a query", urlConfig, func(c *Config) { c.Target.TokenEndpoint = "https://as.example/token?x=1" }, nil},
		{"metadata URL relative", urlConfig, func(c *Config) { c.Target.MetadataURL = "/.well-known/x" }, []string{"target.metadataURL: want an absolute https URL"}},
		{"caFile and insecure", urlConfig, func(c *Config) { c.Target.CAFile, c.Target.InsecureSkipVerify = "ca.pem", true }, []string{
			"target.insecureSkipVerify: set either caFile or insecureSkipVerify, not both"}},

		// process
		{"process section missing", processConfig, func(c *Config) { c.Target.Process = nil }, []string{"target.process: required for kind process"}},
		{"process command empty", processConfig, func(c *Config) { c.Target.Process.Command = nil }, []string{"target.process.command: required"}},
		{"process program empty", processConfig, func(c *Config) { c.Target.Process.Command = []string{""} }, []string{"target.process.command: required"}},
		{"process without readiness", processConfig, func(c *Config) { c.Target.Process.Ready = Ready{} }, []string{"target.process.ready: set url, port or log"}},
		{"process ready on log", processConfig, func(c *Config) { c.Target.Process.Ready = Ready{Log: "started"} }, nil},
		{"process ready on port", processConfig, func(c *Config) { c.Target.Process.Ready = Ready{Port: "8080"} }, nil},
		{"process ready URL relative", processConfig, func(c *Config) { c.Target.Process.Ready.URL = "/health" }, []string{`target.process.ready.url: want an absolute http or https URL, got "/health"`}},
		{"process ready port bad", processConfig, func(c *Config) { c.Target.Process.Ready.Port = "80/tcp" }, []string{`target.process.ready.port: want a TCP port number 1-65535, got "80/tcp"`}},
		{"process ready port zero", processConfig, func(c *Config) { c.Target.Process.Ready.Port = "0" }, []string{"target.process.ready.port: want a TCP port number"}},
		{"process ready timeout negative", processConfig, func(c *Config) { c.Target.Process.Ready.Timeout = Duration{-time.Second} }, []string{"target.process.ready.timeout: must not be negative, got -1s"}},
		{"process env name", processConfig, func(c *Config) { c.Target.Process.Env = map[string]string{"OK_1": "x", "1BAD": "y", "A-B": "z"} }, []string{
			`target.process.env: invalid environment variable name "1BAD"`, `target.process.env: invalid environment variable name "A-B"`}},

		// container
		{"container section missing", containerConfig, func(c *Config) { c.Target.Container = nil }, []string{"target.container: required for kind container"}},
		{"container neither image nor build", containerConfig, func(c *Config) { c.Target.Container.Image = "" }, []string{"target.container: set image or build"}},
		{"container image and build", containerConfig, func(c *Config) { c.Target.Container.Build = &Build{Context: "."} }, []string{"target.container.build: set image or build, not both"}},
		{"container build", containerConfig, func(c *Config) { c.Target.Container.Image, c.Target.Container.Build = "", &Build{Context: "img"} }, nil},
		{"container build without context", containerConfig, func(c *Config) { c.Target.Container.Image, c.Target.Container.Build = "", &Build{} }, []string{"target.container.build.context: required"}},
		{"container build arg unnamed", containerConfig, func(c *Config) {
			c.Target.Container.Image, c.Target.Container.Build = "", &Build{Context: ".", BuildArgs: map[string]string{"": "x"}}
		}, []string{"target.container.build.buildArgs: empty build argument name"}},
		{"container without ports", containerConfig, func(c *Config) { c.Target.Container.Ports = nil }, []string{"target.container.ports: required"}},
		{"container port forms", containerConfig, func(c *Config) { c.Target.Container.Ports = []string{"8443", "9000/udp", "443/tcp"} }, nil},
		{"container port bad", containerConfig, func(c *Config) { c.Target.Container.Ports = []string{"https", "70000", "8443/sctp"} }, []string{
			`target.container.ports[0]: want a container port like "8443" or "8443/tcp", got "https"`,
			`target.container.ports[1]: want a container port`, `target.container.ports[2]: want a container port`}},
		{"container port twice", containerConfig, func(c *Config) { c.Target.Container.Ports = []string{"8443", "8443/tcp"} }, []string{`target.container.ports[1]: port "8443/tcp" listed twice`}},
		{"container ready on port only", containerConfig, func(c *Config) { c.Target.Container.Ready = Ready{Port: "8443"} }, []string{"target.container.ready: set url or log"}},
		{"container ready on log", containerConfig, func(c *Config) { c.Target.Container.Ready = Ready{Log: "listening"} }, nil},
		{"container ready URL absolute", containerConfig, func(c *Config) { c.Target.Container.Ready.URL = "https://127.0.0.1:8443/health" }, []string{
			`target.container.ready.url: want a path such as "/health"`}},
		{"container ready port listed", containerConfig, func(c *Config) { c.Target.Container.Ready.Port = "8443" }, nil},
		{"container ready port not listed", containerConfig, func(c *Config) { c.Target.Container.Ready.Port = "9000/tcp" }, []string{`target.container.ready.port: want one of ports, got "9000/tcp"`}},
		{"container ready timeout negative", containerConfig, func(c *Config) { c.Target.Container.Ready.Timeout = Duration{-1} }, []string{"target.container.ready.timeout: must not be negative"}},
		{"container env name", containerConfig, func(c *Config) { c.Target.Container.Env = map[string]string{"A B": "x"} }, []string{`target.container.env: invalid environment variable name "A B"`}},

		// mock IdP
		{"listen bad", urlConfig, func(c *Config) { c.MockIdP.Listen = "localhost" }, []string{`mockidp.listen: want host:port, e.g. 127.0.0.1:0, got "localhost"`}},
		{"listen port bad", urlConfig, func(c *Config) { c.MockIdP.Listen = "127.0.0.1:99999" }, []string{"mockidp.listen: want host:port"}},
		{"listen loopback for container", containerConfig, func(c *Config) { c.MockIdP.Listen = "127.0.0.1:0" }, []string{"mockidp.listen: a container cannot reach the host's loopback"}},
		{"listen bridge for container", containerConfig, func(c *Config) { c.MockIdP.Listen = "172.17.0.1:9400" }, nil},
		{"public URL", urlConfig, func(c *Config) { c.MockIdP.PublicURL = "https://harness.example:9400/base" }, nil},
		{"public URL bad", urlConfig, func(c *Config) { c.MockIdP.PublicURL = "harness:9400" }, []string{`mockidp.publicURL: want an http or https base URL without query or fragment, got "harness:9400"`}},

		// clients
		{"client A missing", urlConfig, func(c *Config) { c.Clients.A = nil }, []string{"clients.A: required with clients.B (a private_key_jwt client, catalog §0.4)"}},
		{"client B missing", urlConfig, func(c *Config) { c.Clients.B = nil }, []string{"clients.B: required with clients.A"}},
		{"static spares named", urlConfig, func(c *Config) { c.Clients.SpareIDs = []string{"a1", "a2"} }, nil},
		{"static spares unnamed", urlConfig, func(c *Config) { c.Clients.Spares = 3; c.Clients.SpareIDs = []string{"a1"} },
			[]string{"clients.spareIDs: registration mode static: name all 3 spare clients (got 1)"}},
		{"spare id taken", urlConfig, func(c *Config) { c.Clients.SpareIDs = []string{"a"} }, []string{`clients.spareIDs[0]: same client_id as clients.A.id`}},
		{"dynamic spares", urlConfig, func(c *Config) {
			c.Registration.Mode = RegistrationDynamic
			c.Clients.A.ID, c.Clients.B.ID = "", ""
			c.Clients.Spares = 4
		}, nil},
		{"dynamic spares named", urlConfig, func(c *Config) {
			c.Registration.Mode = RegistrationDynamic
			c.Clients.A.ID, c.Clients.B.ID = "", ""
			c.Clients.SpareIDs = []string{"a1"}
		}, []string{"clients.spareIDs: only used with registration mode static"}},
		{"spares without A", processConfig, func(c *Config) { c.Clients = Clients{Spares: 2}; on := true; c.Grant.Enabled = &on },
			[]string{"clients.spares: spare clients are registered like client A"}},
		{"spares on the reference", func() Config { return Default() }, func(c *Config) { c.Clients.Spares = 2 },
			[]string{"clients.spares: the built-in reference shares assay's virtual clock"}},
		{"negative spares", urlConfig, func(c *Config) { c.Clients.Spares = -1 }, []string{"clients.spares: want 0 or more, got -1"}},
		{"grant-only target", processConfig, func(c *Config) { c.Clients = Clients{} }, nil},
		{"grant-only target needs no client auth", processConfig, func(c *Config) {
			c.Clients = Clients{}
			c.Grant.ClientAuth = ClientAuthRequired
		}, []string{"grant.clientAuth: required needs client A"}},
		{"grant-only target authenticating with a secret", processConfig, func(c *Config) {
			c.Clients = Clients{S: &SecretClient{ID: "client-s", SecretEnv: "S_SECRET"}}
			c.Grant.ClientAuth, c.Grant.ClientAuthMethod = ClientAuthRequired, AuthClientSecretPost
		}, nil},
		{"no client and no grant", processConfig, func(c *Config) {
			off := false
			c.Clients, c.Grant.Enabled = Clients{}, &off
		}, []string{"clients.A: required for kind process unless the jwt-bearer grant is tested"}},
		{"client id required when static", urlConfig, func(c *Config) { c.Clients.B.ID = "" }, []string{"clients.B.id: required with registration mode static"}},
		{"client id assigned when dynamic", urlConfig, func(c *Config) { c.Registration.Mode = RegistrationDynamic; c.Clients.A.ID, c.Clients.B.ID = "", "" }, nil},
		{"client ids distinct across kinds", urlConfig, func(c *Config) { c.Clients.H = &SecretClient{ID: "a", SecretEnv: "H_SECRET"} }, []string{
			`clients.H.id: same client_id as clients.A.id ("a"); clients must be distinct`}},
		{"client keys empty", urlConfig, func(c *Config) { c.Clients.A.Keys = "" }, []string{"clients.A.keys: required: fixture, generate or the path of a private JWKS file"}},
		{"client keys path", urlConfig, func(c *Config) { c.Clients.A.Keys = "/etc/assay/a.jwks.json" }, nil},
		{"client alg unknown", urlConfig, func(c *Config) { c.Clients.A.SigningAlg = "XS256" }, []string{
			`clients.A.signingAlg: unknown algorithm "XS256" (want one of ES256, PS256, RS256, EdDSA)`}},
		{"client alg case", urlConfig, func(c *Config) { c.Clients.B.SigningAlg = "es256" }, []string{`clients.B.signingAlg: unknown algorithm "es256"`}},
		{"client alg empty", urlConfig, func(c *Config) { c.Clients.A.SigningAlg = "" }, []string{"clients.A.signingAlg: required (want one of ES256, PS256, RS256, EdDSA)"}},
		{"client algs", urlConfig, func(c *Config) { c.Clients.A.SigningAlg, c.Clients.B.SigningAlg = "RS256", "EdDSA" }, nil},
		{"client P is PS256", urlConfig, func(c *Config) { c.Clients.P = &Client{ID: "p", Keys: KeysFixture, SigningAlg: "PS256"} }, nil},
		{"client P not PS256", urlConfig, func(c *Config) { c.Clients.P = &Client{ID: "p", Keys: KeysFixture, SigningAlg: "ES256"} }, []string{
			`clients.P.signingAlg: client P is registered with token_endpoint_auth_signing_alg PS256 (catalog A-AU-11), got "ES256"`}},
		{"RS256 under FAPI2", urlConfig, func(c *Config) { c.Profile = profile.FAPI2; c.Clients.A.SigningAlg = "RS256" }, []string{
			"clients.A.signingAlg: RS256 is not allowed under FAPI2"}},
		{"secret clients", urlConfig, func(c *Config) {
			c.Clients.H = &SecretClient{ID: "h", SecretEnv: "ASSAY_H"}
			c.Clients.S = &SecretClient{ID: "s", SecretEnv: "ASSAY_S"}
		}, nil},
		{"secret env missing", urlConfig, func(c *Config) { c.Clients.H = &SecretClient{ID: "h"} }, []string{"clients.H.secretEnv: required: the name of the environment variable"}},
		{"secret env not needed with command registration", urlConfig, func(c *Config) {
			c.Registration.Mode, c.Registration.Command = RegistrationCommand, []string{"./register.sh"}
			c.Clients.A.ID, c.Clients.B.ID = "", ""
			c.Clients.H = &SecretClient{}
		}, nil},
		{"secret env not a name", urlConfig, func(c *Config) { c.Clients.S = &SecretClient{ID: "s", SecretEnv: "$SECRET"} }, []string{`clients.S.secretEnv: invalid environment variable name "$SECRET"`}},
		{"secret client id when static", urlConfig, func(c *Config) { c.Clients.S = &SecretClient{SecretEnv: "S"} }, []string{"clients.S.id: required with registration mode static"}},

		// registration
		{"registration mode missing", urlConfig, func(c *Config) { c.Registration.Mode = "" }, []string{"registration.mode: required (want one of static, dynamic, command)"}},
		{"registration mode unknown", urlConfig, func(c *Config) { c.Registration.Mode = "rfc7591" }, []string{`registration.mode: unknown mode "rfc7591"`}},
		{"dynamic registration", urlConfig, func(c *Config) {
			c.Registration = Registration{Mode: RegistrationDynamic, Endpoint: "https://as.example/register", InitialAccessTokenEnv: "ASSAY_IAT"}
		}, nil},
		{"endpoint with static", urlConfig, func(c *Config) { c.Registration.Endpoint = "https://as.example/register" }, []string{"registration.endpoint: only used with mode dynamic"}},
		{"endpoint over http", urlConfig, func(c *Config) {
			c.Registration = Registration{Mode: RegistrationDynamic, Endpoint: "http://as.example/register"}
		}, []string{"registration.endpoint: http is allowed only on a loopback host"}},
		{"initial access token with static", urlConfig, func(c *Config) { c.Registration.InitialAccessTokenEnv = "IAT" }, nil},
		{"initial access token not a name", urlConfig, func(c *Config) {
			c.Registration = Registration{Mode: RegistrationDynamic, InitialAccessTokenEnv: "my token"}
		}, []string{`registration.initialAccessTokenEnv: invalid environment variable name "my token"`}},
		{"command registration", urlConfig, func(c *Config) {
			c.Registration = Registration{Mode: RegistrationCommand, Command: []string{"./register.sh"}}
		}, nil},
		{"command missing", urlConfig, func(c *Config) { c.Registration = Registration{Mode: RegistrationCommand} }, []string{"registration.command: required with mode command"}},
		{"command with static", urlConfig, func(c *Config) { c.Registration.Command = []string{"./register.sh"} }, []string{"registration.command: only used with mode command"}},
		{"trust issuer hook with static", urlConfig, func(c *Config) { c.Registration.TrustIssuerCommand = []string{"./trust.sh"} }, nil},
		{"trust issuer hook empty program", urlConfig, func(c *Config) { c.Registration.TrustIssuerCommand = []string{""} }, []string{"registration.trustIssuerCommand: empty program name"}},
		{"dynamic with reference", Default, func(c *Config) { c.Registration.Mode = RegistrationDynamic }, []string{"registration.mode: dynamic registration is not used with kind reference"}},

		// grant
		{"grant legacy URN", urlConfig, func(c *Config) { c.Grant.URN = GrantURNLegacy }, nil},
		{"grant URN unknown", urlConfig, func(c *Config) { c.Grant.URN = "jwt-bearer" }, []string{`grant.urn: unknown grant type "jwt-bearer" (want one of urn:ietf:params:oauth:grant-type:jwt-bearer, http://oauth.net/grant_type/jwt/1.0/bearer)`}},
		{"grant trust models", urlConfig, func(c *Config) { c.Grant.TrustModel = TrustServiceAccount }, nil},
		{"grant trust model unknown", urlConfig, func(c *Config) { c.Grant.TrustModel = "external" }, []string{`grant.trustModel: unknown trust model "external" (want one of external-issuer, self-signed, service-account)`}},
		{"grant client auth unknown", urlConfig, func(c *Config) { c.Grant.ClientAuth = "yes" }, []string{`grant.clientAuth: unknown value "yes" (want one of required, optional, none)`}},
		{"grant client auth missing", urlConfig, func(c *Config) { c.Grant.ClientAuth = "" }, []string{"grant.clientAuth: required"}},
		{"grant signing alg unknown", urlConfig, func(c *Config) { c.Grant.SigningAlg = "HS1" }, []string{`grant.signingAlg: unknown algorithm "HS1" (want one of ES256, PS256, RS256, EdDSA, HS256, HS384, HS512)`}},
		{"grant HMAC without secret", urlConfig, func(c *Config) { c.Grant.SigningAlg = "HS256" }, []string{"grant.secretEnv: required with signingAlg HS256"}},
		{"grant secret with asymmetric alg", urlConfig, func(c *Config) { c.Grant.SecretEnv = "IDP_SECRET" }, []string{"grant.signingAlg: a shared secret (grant.secretEnv) signs with HS256"}},
		{"grant secret and key", urlConfig, func(c *Config) { c.Grant.SecretEnv, c.Grant.Key = "IDP_SECRET", "k.pem" }, []string{"grant.secretEnv: set grant.key or grant.secretEnv, not both"}},
		{"grant HMAC issuer", urlConfig, func(c *Config) { c.Grant.SecretEnv, c.Grant.SigningAlg = "IDP_SECRET", "HS384" }, nil},
		{"grant client outside self-signed", urlConfig, func(c *Config) { c.Grant.Client = "A" }, []string{"grant.client: only with trustModel self-signed"}},
		{"grant client unknown", urlConfig, func(c *Config) { c.Grant.TrustModel, c.Grant.Client = TrustSelfSigned, "Z" }, []string{`grant.client: want one of A, B, P, got "Z"`}},
		{"grant client self-signed", urlConfig, func(c *Config) { c.Grant.TrustModel, c.Grant.Client = TrustSelfSigned, "A" }, nil},
		{"grant audience missing", urlConfig, func(c *Config) { c.Grant.Audience = "" }, []string{"grant.audience: required"}},
		{"grant audience literal", urlConfig, func(c *Config) { c.Grant.Audience = "https://login.example" }, nil},
		{"grant auth method unknown", urlConfig, func(c *Config) { c.Grant.ClientAuthMethod = "tls_client_auth" }, []string{`grant.clientAuthMethod: unknown method "tls_client_auth"`}},
		{"grant auth method against none", urlConfig, func(c *Config) {
			c.Grant.ClientAuth, c.Grant.ClientAuthMethod = ClientAuthNone, AuthPrivateKeyJWT
		}, []string{"grant.clientAuthMethod: clientAuth none takes no client authentication"}},
		{"grant auth method none when required", urlConfig, func(c *Config) {
			c.Grant.ClientAuth, c.Grant.ClientAuthMethod = ClientAuthRequired, AuthNone
		}, []string{"grant.clientAuthMethod: clientAuth required needs a method other than none"}},
		{"grant auth post without S", urlConfig, func(c *Config) { c.Grant.ClientAuthMethod = AuthClientSecretPost }, []string{"grant.clientAuthMethod: client_secret_post authenticates as client S"}},
		{"grant issuer missing", urlConfig, func(c *Config) { c.Grant.Issuer = "" }, []string{"grant.issuer: required: IdP-H's issuer identifier"}},
		{"grant issuer with space", urlConfig, func(c *Config) { c.Grant.Issuer = "idp h" }, []string{`grant.issuer: must not contain white space, got "idp h"`}},
		{"grant issuer not a URL", urlConfig, func(c *Config) { c.Grant.Issuer = "idp-h" }, nil},
		{"grant subject missing", urlConfig, func(c *Config) { c.Grant.Subject = "" }, []string{"grant.subject: required"}},
		{"known subjects listing the subject", urlConfig, func(c *Config) { c.Grant.KnownSubjects = []string{"user2", c.Grant.Subject} }, nil},
		{"known subjects without the subject", urlConfig, func(c *Config) { c.Grant.KnownSubjects = []string{"user2", ""} }, []string{
			"grant.knownSubjects[1]: empty subject", `grant.knownSubjects: does not list grant.subject "user1"`}},
		{"negative lifetime bound", urlConfig, func(c *Config) { c.Timeouts.MaxAssertionLifetime.Duration = -time.Minute }, []string{
			"timeouts.maxAssertionLifetime: must not be negative"}},
		{"grant disabled still checked", urlConfig, func(c *Config) { off := false; c.Grant.Enabled = &off; c.Grant.URN = "x" }, []string{"grant.urn: unknown grant type"}},

		// audience and scope
		{"audience", urlConfig, func(c *Config) { c.Audience = "https://as.example/token" }, nil},
		{"audience relative", urlConfig, func(c *Config) { c.Audience = "as.example" }, []string{`audience: want an absolute URL (the issuer or the token endpoint), got "as.example"`}},
		{"scope", urlConfig, func(c *Config) { c.Scope = "openid api:read!" }, nil},
		{"scope double space", urlConfig, func(c *Config) { c.Scope = "openid  profile" }, []string{"scope: empty scope token (RFC 6749 §3.3"}},
		{"scope quote", urlConfig, func(c *Config) { c.Scope = `openid "x"` }, []string{`scope: character '"' is not allowed in a scope token (RFC 6749 §3.3)`}},
		{"scope backslash", urlConfig, func(c *Config) { c.Scope = `a\b` }, []string{`scope: character '\\' is not allowed`}},
		{"scope non-ASCII", urlConfig, func(c *Config) { c.Scope = "café" }, []string{`scope: character 'é' is not allowed`}},

		// timeouts
		{"timeouts zero", urlConfig, func(c *Config) { c.Timeouts = Timeouts{} }, []string{
			"timeouts.request: must be positive, got 0s", "timeouts.start: must be positive, got 0s",
			"timeouts.clockSkew: must be positive, got 0s", "timeouts.check: must be positive, got 0s"}},
		{"timeout negative", urlConfig, func(c *Config) { c.Timeouts.Start = Duration{-time.Minute} }, []string{"timeouts.start: must be positive, got -1m0s"}},
		{"clock skew over 60s under FAPI2", urlConfig, func(c *Config) { c.Profile, c.Timeouts.ClockSkew = profile.FAPI2, Duration{61 * time.Second} }, []string{
			"timeouts.clockSkew: 1m1s is over 60s; FAPI 2.0 Security Profile §5.3.2.1 item 13"}},
		{"clock skew of 5 minutes outside FAPI2 (.NET's default)", urlConfig, func(c *Config) { c.Timeouts.ClockSkew = Duration{5 * time.Minute} }, nil},
		{"clock skew over an hour", urlConfig, func(c *Config) { c.Timeouts.ClockSkew = Duration{2 * time.Hour} }, []string{
			"timeouts.clockSkew: 2h0m0s is over an hour"}},
		{"negative lifetimes", urlConfig, func(c *Config) {
			c.Timeouts.MaxAssertionLifetime, c.Timeouts.MaxGrantLifetime = Duration{-time.Hour}, Duration{-time.Hour}
		}, []string{"timeouts.maxAssertionLifetime: must not be negative", "timeouts.maxGrantLifetime: must not be negative, got -1h0m0s"}},
		{"clock skew of 60s", urlConfig, func(c *Config) { c.Timeouts.ClockSkew = Duration{60 * time.Second} }, nil},
		{"check shorter than request", urlConfig, func(c *Config) { c.Timeouts.Check = Duration{5 * time.Second} }, []string{
			"timeouts.check: 5s is shorter than timeouts.request (10s); a check makes at least one request"}},

		// token state
		{"token state from a command", urlConfig, func(c *Config) {
			c.Clients.S = &SecretClient{ID: "s", SecretEnv: "S_SECRET"}
			c.TokenState = TokenState{Client: "S", TokenFrom: TokenFromCommand, TokenCommand: []string{"./token.sh"}, Resource: "http://127.0.0.1:8080/api", MaxWait: Duration{10 * time.Second}}
			c.Target.IntrospectionEndpoint, c.Target.RevocationEndpoint = "https://as.example/introspect", "https://as.example/revoke"
		}, nil},
		{"token state mistakes", urlConfig, func(c *Config) {
			c.TokenState = TokenState{Client: "S", TokenFrom: TokenFromCommand, Resource: "/api", MaxWait: Duration{time.Minute}}
			c.Target.IntrospectionEndpoint = "introspect"
		}, []string{
			`target.introspectionEndpoint: want an absolute http(s) URL, got "introspect"`,
			"tokenState.client: client S is not configured under clients",
			"tokenState.tokenCommand: required with tokenFrom command",
			`tokenState.resource: want an absolute http(s) URL, got "/api"`,
			"tokenState.maxWait: 1m0s leaves no time for requests within timeouts.check (30s)",
		}},
		{"other client is the client", urlConfig, func(c *Config) { c.TokenState.OtherClient = "A" }, []string{
			"tokenState.otherClient: must differ from tokenState.client (A)"}},
		{"other client not configured", urlConfig, func(c *Config) { c.TokenState.OtherClient = "P" }, []string{
			"tokenState.otherClient: client P is not configured under clients"}},
		{"token command without tokenFrom command", urlConfig, func(c *Config) { c.TokenState.TokenCommand = []string{"./token.sh"} }, []string{
			`tokenState.tokenCommand: only used with tokenFrom command (tokenFrom is "client")`}},
		{"token state off skips its fields", urlConfig, func(c *Config) {
			off := false
			c.TokenState = TokenState{Enabled: &off, Client: "nobody"}
		}, nil},
		{"endpoints on the reference", Default, func(c *Config) { c.Target.RevocationEndpoint = "https://x.example/revoke" }, []string{
			"target.revocationEndpoint: not used with kind reference"}},

		// verifier
		{"verifier-only process target", processConfig, func(c *Config) {
			c.Target.Issuer, c.Clients = "", Clients{}
			c.Target.Process.Command = []string{"./rp", "--addr=127.0.0.1:${ASSAY_TARGET_PORT}"}
			c.Target.Process.Ready.URL = "http://127.0.0.1:${ASSAY_TARGET_PORT}/healthz"
			c.Verifier = &Verifier{URL: "http://127.0.0.1:${ASSAY_TARGET_PORT}/api/me", Audience: "rp-client", Kind: "id_token", Nonce: "n-1"}
		}, nil},
		{"no issuer and no verifier", processConfig, func(c *Config) { c.Target.Issuer = "" }, []string{"target.issuer: required for kind process (or a verifier"}},
		{"verifier request template", urlConfig, func(c *Config) {
			c.Verifier = &Verifier{URL: "https://pdp.example/json/policies?_action=evaluate", Audience: "rooms", Kind: "jwt",
				Request: VerifierRequest{Method: "POST", Token: "json", Body: `{"subject":{"jwt":"${token}"}}`, HeadersFromEnv: map[string]string{"iPlanetDirectoryPro": "SESSION"}},
				Allow:   &DecisionRule{Status: []string{"200"}, Pointer: "/0/actions/ORDER_FOOD", Value: JSONValue{JSON: []byte("true")}},
				Deny:    &DecisionRule{Status: []string{"200"}},
				Claims:  map[string]string{"Role": "Manager"},
				Issuer:  TokenIssuer{Alg: "HS256", SecretEnv: "PDP_SECRET", Iss: "https://idp.example", Typ: "JWT"}}
		}, nil},
		{"verifier settings wrong", urlConfig, func(c *Config) {
			c.Verifier = &Verifier{URL: "pdp.example", Kind: "saml", Nonce: "n",
				Request: VerifierRequest{Token: "json", Field: "x", HeadersFromEnv: map[string]string{"X": "not a name"}},
				Allow:   &DecisionRule{Status: []string{"OK"}, Pointer: "0/actions"},
				Deny:    &DecisionRule{Value: JSONValue{JSON: []byte("true")}},
				Issuer:  TokenIssuer{Alg: "HS256"}}
		}, []string{
			`verifier.url: want an absolute http(s) URL, got "pdp.example"`, "verifier.audience: required",
			`verifier.kind: unknown kind "saml"`, "verifier.nonce: only with kind id_token",
			"verifier.request.field: only with token form", `verifier.request.headersFromEnv.X: want an environment variable name`,
			`verifier.allow.status[0]: want an HTTP status code, got "OK"`, "verifier.allow.pointer: want an RFC 6901 JSON pointer",
			"verifier.allow: pointer and value go together", "verifier.deny: pointer and value go together",
			"verifier.issuer.secretEnv: required with alg HS256"}},
		{"verifier json without placeholder, secret without HS", urlConfig, func(c *Config) {
			c.Verifier = &Verifier{URL: "https://rs.example/x", Audience: "a", Request: VerifierRequest{Token: "json", Body: `{"jwt":"x"}`},
				Issuer: TokenIssuer{Alg: "RS256", SecretEnv: "S"}}
		}, []string{"verifier.request.body: required with token json", "verifier.issuer.secretEnv: only with an HS* alg"}},

		// expected failures
		{"expected IDs", urlConfig, func(c *Config) {
			c.ExpectedFailures = []Expected{{ID: "A-CA-05"}, {ID: "A-CA-05.2"}, {ID: "B-ALG-06/client"}, {ID: "A-JG-01/grant"}, {ID: "C-ROT-01"}, {ID: "B-KEYQ-01.10/client"}}
		}, nil},
		{"expected ID empty", urlConfig, func(c *Config) { c.ExpectedFailures = []Expected{{Reason: "x"}} }, []string{"expectedFailures[0].id: required: a check ID"}},
		{"expected ID forms", urlConfig, func(c *Config) {
			c.ExpectedFailures = []Expected{{ID: "a-ca-05"}, {ID: "ACA05"}, {ID: "A-CA-05/token"}, {ID: "A-CA-05.x"}, {ID: "A-CA-05 "}, {ID: "A-CA-05/client/grant"}}
		}, []string{
			`expectedFailures[0].id: "a-ca-05" is not a check ID (want the form A-CA-05, A-CA-05.2 or B-ALG-06/client)`,
			`expectedFailures[1].id: "ACA05" is not a check ID`, `expectedFailures[2].id: "A-CA-05/token" is not a check ID`,
			`expectedFailures[3].id: "A-CA-05.x" is not`, `expectedFailures[4].id: "A-CA-05 " is not`, `expectedFailures[5].id: "A-CA-05/client/grant" is not`}},
		{"expected ID twice", urlConfig, func(c *Config) {
			c.ExpectedFailures = []Expected{{ID: "A-CA-05"}, {ID: "A-CA-05/client"}, {ID: "A-CA-05"}}
		}, []string{
			"expectedFailures[2].id: A-CA-05 listed twice (also expectedFailures[0])"}},
	}
	for _, p := range profile.All() {
		rows = append(rows, row{"profile " + string(p), urlConfig, func(c *Config) { c.Profile = p }, nil})
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.base()
			tt.mutate(&c)
			errs := c.Validate()
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), errs)
			}
			paths(t, errs)
			for i, e := range errs {
				if !strings.Contains(e.Error(), tt.want[i]) {
					t.Errorf("error %d = %q\n  want it to contain %q", i, e, tt.want[i])
				}
			}
		})
	}
}

func TestValidateEnv(t *testing.T) {
	const (
		short = "sh0rt-s3cret-value"
		long  = "0123456789abcdef0123456789abcdef-long-secret"
		token = "initial-access-t0ken-value"
	)
	cfg := urlConfig()
	cfg.Clients.H = &SecretClient{ID: "h", SecretEnv: "ASSAY_H"}
	cfg.Clients.S = &SecretClient{ID: "s", SecretEnv: "ASSAY_S"}
	cfg.Registration = Registration{Mode: RegistrationDynamic, InitialAccessTokenEnv: "ASSAY_IAT"}
	cfg.Clients.A.ID, cfg.Clients.B.ID = "", ""
	cfg.Grant.SecretEnv, cfg.Grant.SigningAlg = "ASSAY_GRANT", "HS384"

	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"all set", map[string]string{"ASSAY_H": long, "ASSAY_S": short, "ASSAY_IAT": token, "ASSAY_GRANT": long + long}, nil},
		{"none set", map[string]string{}, []string{
			"clients.H.secretEnv: environment variable ASSAY_H is not set or empty",
			"clients.S.secretEnv: environment variable ASSAY_S is not set or empty",
			"grant.secretEnv: environment variable ASSAY_GRANT is not set or empty",
			"registration.initialAccessTokenEnv: environment variable ASSAY_IAT is not set or empty"}},
		{"H secret too short for HS256", map[string]string{"ASSAY_H": short, "ASSAY_S": short, "ASSAY_IAT": token, "ASSAY_GRANT": long + long}, []string{
			"clients.H.secretEnv: the secret in ASSAY_H has 18 bytes; client_secret_jwt with HS256 needs at least 32 (RFC 7518 §3.2)"}},
		{"grant secret too short for HS384", map[string]string{"ASSAY_H": long, "ASSAY_S": short, "ASSAY_IAT": token, "ASSAY_GRANT": long}, []string{
			"grant.secretEnv: the secret in ASSAY_GRANT has 44 bytes; HS384 needs at least 48 (RFC 7518 §3.2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := cfg.ValidateEnv(func(k string) string { return tt.env[k] })
			if len(errs) != len(tt.want) {
				t.Fatalf("got %v, want %v", errs, tt.want)
			}
			for i, e := range errs {
				if e.Error() != tt.want[i] {
					t.Errorf("error %d = %q, want %q", i, e, tt.want[i])
				}
				for _, secret := range []string{short, long, token, long + long} {
					if strings.Contains(e.Error(), secret) {
						t.Errorf("error %q echoes a secret value", e)
					}
				}
			}
		})
	}
	if errs := Default().ValidateEnv(func(string) string { t.Error("Default() reads the environment"); return "" }); errs != nil {
		t.Errorf("Default().ValidateEnv = %v", errs)
	}
}

// TestVerifierOnly: a url or process target with a verifier and no issuer
// or token endpoint is a verifier only; a container's empty issuer is the
// one derived from its port, and the reference is never verifier-only.
func TestVerifierOnly(t *testing.T) {
	vf := &Verifier{URL: "https://rs.example/api", Audience: "rs"}
	for _, tt := range []struct {
		name string
		base func() Config
		want bool
	}{{"url", urlConfig, true}, {"process", processConfig, true}, {"container", containerConfig, false}, {"reference", Default, false}} {
		c := tt.base()
		c.Target.Issuer, c.Verifier = "", vf
		if got := c.VerifierOnly(); got != tt.want {
			t.Errorf("%s: VerifierOnly = %v, want %v", tt.name, got, tt.want)
		}
		c.Target.TokenEndpoint = "https://as.example/token"
		if c.VerifierOnly() {
			t.Errorf("%s with a token endpoint: verifier-only", tt.name)
		}
	}
}
