package clientauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/assayhq/assay/mockidp/client"
	"github.com/assayhq/assay/mockidp/defect"
	"github.com/assayhq/assay/mockidp/keys"
	"github.com/assayhq/assay/mockidp/oauth"
	"github.com/assayhq/assay/suites/check"
)

// registerClient sends RFC 7591 client metadata to the registration
// endpoint, with the configured initial access token (§3) when there is
// one, and decodes a 201 answer; registered is false on any refusal. The
// server may replace submitted metadata (§3.2.1): rows judge resp, what it
// registered, not md.
func registerClient(ctx context.Context, e *check.Env, md map[string]any) (tr *client.Transcript, resp map[string]any, registered bool, err error) {
	body, err := json.Marshal(md)
	if err != nil {
		return nil, nil, false, fmt.Errorf("encode client metadata: %w", err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if e.RegistrationToken != "" {
		h.Set("Authorization", "Bearer "+e.RegistrationToken)
	}
	tr, err = e.HTTP.Do(ctx, client.Request{URL: e.Meta.RegistrationEndpoint, Body: body, Header: h})
	if err != nil {
		return tr, nil, false, err
	}
	resp, jerr := tr.JSON()
	return tr, resp, tr.Status == http.StatusCreated && jerr == nil, nil
}

// registerWithKey is registerClient for metadata md that also carries
// publicKey as jwks (RFC 7591 §2). A key that cannot be had, or a request
// that could not be sent, is the row's ERROR (failed).
func registerWithKey(ctx context.Context, e *check.Env, md map[string]any) (tr *client.Transcript, resp map[string]any, registered bool, failed *check.Result) {
	k, err := publicKey(e)
	if err != nil {
		r := check.Error("harness: " + err.Error())
		return nil, nil, false, &r
	}
	md["jwks"] = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}}
	tr, resp, registered, err = registerClient(ctx, e, md)
	if err != nil {
		r := check.Error(err.Error(), tr)
		return tr, nil, false, &r
	}
	return tr, resp, registered, nil
}

// registers is the Serial of the registration checks: a client they
// register is state the target keeps.
const registers = "registers a client at the target"

// registrationChecks: what dynamic registration hands out (RFC 7518 §3.2;
// OIDC Core §16.19; RFC 9700 §4.15.1). N/A without a registration_endpoint.
func registrationChecks() []check.Check {
	return []check.Check{
		{ID: "A-JO-16", Level: check.MUST, Cite: cite("RFC7518-3.2", "OIDC-Core-16.19"), Defect: defect.ShortClientSecret, Serial: registers,
			Title: "issues client_secret_jwt clients a secret of at least 32 octets (HS256 key size)",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if why := needRegistration(e); why != "" {
					return check.NA(why)
				}
				if !e.Meta.SupportsAuthMethod(oauth.AuthClientSecretJWT) {
					return check.NA("token_endpoint_auth_methods_supported lacks client_secret_jwt")
				}
				tr, resp, ok, err := registerClient(ctx, e, map[string]any{
					"token_endpoint_auth_method": oauth.AuthClientSecretJWT, "token_endpoint_auth_signing_alg": "HS256",
					"grant_types": []string{oauth.GrantClientCreds}, "client_name": "assay A-JO-16"})
				if err != nil {
					return check.Error(err.Error(), tr)
				}
				if !ok {
					return check.NA(fmt.Sprintf("registration of a client_secret_jwt client was refused (HTTP %d)", tr.Status))
				}
				if m, _ := resp["token_endpoint_auth_method"].(string); m != "" && m != oauth.AuthClientSecretJWT {
					return check.NA(fmt.Sprintf("the server registered token_endpoint_auth_method %q instead of client_secret_jwt (RFC 7591 §3.2.1 lets it)", m))
				}
				secret, _ := resp["client_secret"].(string)
				if len(secret) < 32 {
					return check.Broken(check.MUST, fmt.Sprintf("the issued client_secret has %d octets; HS256 needs at least 32", len(secret)), tr)
				}
				return check.Pass(tr)
			}},
		{ID: "A-SEC-03", Level: check.SHOULD, Cite: cite("RFC9700-4.15.1", "RFC7591-3.2.1"), Defect: defect.HonorProposedClientID, Serial: registers,
			Title: "does not let a registering client pick a client_id that names a user",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if why := needRegistration(e); why != "" {
					return check.NA(why)
				}
				tr, resp, ok, failed := registerWithKey(ctx, e, map[string]any{
					"client_id": e.Cast.User, "token_endpoint_auth_method": oauth.AuthPrivateKeyJWT, "client_name": "assay A-SEC-03"})
				if failed != nil {
					return *failed
				}
				if ok && resp["client_id"] == e.Cast.User {
					return check.Broken(check.SHOULD, fmt.Sprintf("registration took the proposed client_id %q, the sub of a user", e.Cast.User), tr)
				}
				return check.Pass(tr)
			}},
		{ID: "A-KR-06", Level: check.MUST, Cite: cite("OIDC-Reg-2", "RFC7591-2"), Defect: defect.AcceptJWKSAndURI, Serial: registers,
			Title: "refuses a registration that carries both jwks and jwks_uri with 400 invalid_client_metadata",
			Run: func(ctx context.Context, e *check.Env) check.Result {
				if why := needRegistration(e); why != "" {
					return check.NA(why)
				}
				// The URL is never meant to be fetched: the metadata is
				// invalid on its face (RFC 7591 §2: "MUST NOT both be present").
				tr, resp, ok, failed := registerWithKey(ctx, e, map[string]any{
					"token_endpoint_auth_method": oauth.AuthPrivateKeyJWT, "grant_types": []string{oauth.GrantClientCreds},
					"jwks_uri": "https://jwks.assay.test/a-kr-06.json", "client_name": "assay A-KR-06"})
				if failed != nil {
					return *failed
				}
				if ok {
					// Judged on what the server registered (RFC 7591 §3.2.1):
					// keeping exactly one of the two is a replacement the
					// RFC allows; keeping both, or not saying, is not.
					_, jwks := resp["jwks"]
					_, uri := resp["jwks_uri"]
					if jwks != uri {
						kept := "jwks"
						if uri {
							kept = "jwks_uri"
						}
						out := check.Pass(tr)
						out.Notes = append(out.Notes, "registered with "+kept+" only: the server replaced the submitted metadata (RFC 7591 §3.2.1)")
						return out
					}
					return check.Broken(check.MUST, fmt.Sprintf("registered client %v with both jwks and jwks_uri", resp["client_id"]), tr)
				}
				if code, _ := resp["error"].(string); tr.Status != http.StatusBadRequest || code != "invalid_client_metadata" {
					return check.Broken(check.MUST, fmt.Sprintf("refused with HTTP %d and error %q; RFC 7591 §3.2.2 wants 400 invalid_client_metadata", tr.Status, code), tr)
				}
				return check.Pass(tr)
			}},
	}
}

func needRegistration(e *check.Env) string {
	if e.Meta.RegistrationEndpoint == "" {
		return "the metadata lists no registration_endpoint"
	}
	return ""
}

// publicKey is a public key to register: client A's default key, or a
// fixture key when no client A is configured (the rows register clients
// of their own and never sign with it).
func publicKey(e *check.Env) (keys.Key, error) {
	if k, ok := e.Cast.A.Key(""); ok {
		return k, nil
	}
	return keys.Fixture("client-a.es256")
}
