package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/cpcready/cpcready/internal/domain"
)

// Defaults for OIDCConfig.
const (
	DefaultRolesClaim  = "roles"
	DefaultOrgClaim    = "org"
	DefaultNameClaim   = "name"
	DefaultOIDCLeeway  = 30 * time.Second
	DefaultOIDCTimeout = 10 * time.Second
	// DefaultMaxTokenLifetime is a working day and then some: staff
	// tokens are minted for an hour or so and refreshed.
	DefaultMaxTokenLifetime = 24 * time.Hour

	// maxJWTBytes bounds the work done on a bearer token before any
	// cryptography; real ID and access tokens (even Entra ones carrying
	// group lists) stay well below this.
	maxJWTBytes = 32 << 10
)

// oidcSigningAlgs are the only algorithms accepted. go-jose rejects every
// other "alg" (none, HS256, ...) while parsing, before any key is looked at,
// so the classic "HS256 signed with the RSA public key" confusion cannot work.
var oidcSigningAlgs = []string{oidc.RS256, oidc.ES256}

// OIDCConfig configures bearer-token (JWT) verification for staff who sign in
// through their council's identity provider.
type OIDCConfig struct {
	Issuer     string        // CPCREADY_OIDC_ISSUER
	Audience   string        // CPCREADY_OIDC_AUDIENCE
	JWKSURL    string        // CPCREADY_OIDC_JWKS_URL; optional, when discovery is not used
	RolesClaim string        // default "roles": a string or an array of strings
	OrgClaim   string        // default "org"
	NameClaim  string        // default "name", shown in the audit trail
	Leeway     time.Duration // default 30s, for exp/nbf/iat
	// MaxLifetime is the longest a token may live, from iat (or nbf) to
	// exp; default 24h (CPCREADY_OIDC_MAX_TOKEN_LIFETIME).
	MaxLifetime time.Duration

	// Now is the clock used for exp/nbf/iat; nil means time.Now. For tests.
	Now func() time.Time
}

// OIDC verifies OIDC bearer tokens and turns them into domain principals.
// It is safe for concurrent use.
type OIDC struct {
	cfg    OIDCConfig
	now    func() time.Time
	client *http.Client
	// keyCtx carries the HTTP client (oidc.ClientContext) for every request
	// go-oidc makes: JWKS fetches and discovery. It is never cancelled; each
	// request is bounded by the client's timeout.
	keyCtx context.Context

	mu        sync.Mutex
	verifier  *oidc.IDTokenVerifier // nil until discovery has succeeded
	discovery *discoveryCall        // the discovery in flight, if any
}

// NewOIDC validates cfg and returns a verifier. It does no network I/O: the
// service must start even while the identity provider is down. With JWKSURL
// set the key set is fetched on the first Verify; without it, discovery runs
// on the first Verify and is retried by later calls until it succeeds.
//
// A nil client gets a default one with a 10s timeout; a client without a
// timeout is copied and given one.
func NewOIDC(cfg OIDCConfig, client *http.Client) (*OIDC, error) {
	cfg.Issuer = strings.TrimSpace(cfg.Issuer)
	cfg.Audience = strings.TrimSpace(cfg.Audience)
	cfg.JWKSURL = strings.TrimSpace(cfg.JWKSURL)
	if cfg.Issuer == "" {
		return nil, errors.New("oidc: issuer is required (CPCREADY_OIDC_ISSUER)")
	}
	if err := checkURL(cfg.Issuer); err != nil {
		return nil, fmt.Errorf("oidc: issuer: %w", err)
	}
	if cfg.Audience == "" {
		return nil, errors.New("oidc: audience is required (CPCREADY_OIDC_AUDIENCE)")
	}
	if cfg.JWKSURL != "" {
		if err := checkURL(cfg.JWKSURL); err != nil {
			return nil, fmt.Errorf("oidc: JWKS URL: %w", err)
		}
	}
	if cfg.RolesClaim == "" {
		cfg.RolesClaim = DefaultRolesClaim
	}
	if cfg.OrgClaim == "" {
		cfg.OrgClaim = DefaultOrgClaim
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = DefaultNameClaim
	}
	if cfg.Leeway < 0 {
		return nil, errors.New("oidc: leeway must not be negative")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = DefaultOIDCLeeway
	}
	if cfg.MaxLifetime < 0 {
		return nil, errors.New("oidc: maximum token lifetime must not be negative")
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = DefaultMaxTokenLifetime
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}

	if client == nil {
		client = &http.Client{Timeout: DefaultOIDCTimeout}
	} else if client.Timeout == 0 {
		c := *client
		c.Timeout = DefaultOIDCTimeout
		client = &c
	}

	o := &OIDC{
		cfg:    cfg,
		now:    now,
		client: client,
		keyCtx: oidc.ClientContext(context.Background(), client),
	}
	if cfg.JWKSURL != "" {
		// No I/O here: the key set is fetched on the first Verify, and
		// again for an unknown kid at most once a minute (throttledKeySet),
		// which is what lets the IdP rotate keys without a restart.
		o.verifier = o.newVerifier(o.keySet(cfg.JWKSURL))
	}
	return o, nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

// Refusal messages. They are shown to the client, so they never include any
// part of the token, its claims or the IdP's error text.
const (
	msgMalformed     = "bearer token is malformed"
	msgAlgorithm     = "bearer token algorithm is not accepted"
	msgSignature     = "bearer token signature is not valid"
	msgKeys          = "bearer token could not be verified: signing keys unavailable"
	msgDiscovery     = "bearer token could not be verified: identity provider unavailable"
	msgIssuer        = "bearer token issuer is not accepted"
	msgAudience      = "bearer token audience is not accepted"
	msgInvalid       = "bearer token is not valid"
	msgNoExp         = "bearer token has no expiry"
	msgExpired       = "bearer token has expired"
	msgNotYetValid   = "bearer token is not yet valid"
	msgIssuedFuture  = "bearer token was issued in the future"
	msgNoSubject     = "bearer token has no subject"
	msgNoOrg         = "bearer token has no organisation"
	msgBadOrg        = "bearer token organisation is not an organisation code (1 to 16 upper-case letters and digits)"
	msgTooLong       = "bearer token lives longer than this service accepts"
	msgNoRole        = "bearer token has no recognised role"
	msgAmbiguousRole = "bearer token has more than one role"
	msgBadRoles      = "bearer token roles claim is malformed"
	msgCancelled     = "bearer token could not be verified: request cancelled"
)

func unauthorized(msg string) *domain.Error {
	return domain.Errorf(domain.EUNAUTHORIZED, "%s", msg)
}

// Verify checks rawToken's signature (RS256 or ES256 only, against the
// issuer's JWKS), issuer, audience, exp/nbf/iat (with leeway) and maps its
// claims to a Principal. Every failure, including an unreachable JWKS or
// discovery endpoint, is a *domain.Error of kind EUNAUTHORIZED.
func (o *OIDC) Verify(ctx context.Context, rawToken string) (p domain.Principal, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = domain.Principal{}, unauthorized(msgInvalid)
		}
	}()

	// go-jose would also accept the JWS JSON serialization and strips
	// whitespace from compact tokens; only a plain compact JWT is a bearer
	// token here.
	if !LooksLikeJWT(rawToken) {
		return domain.Principal{}, unauthorized(msgMalformed)
	}

	v, err := o.verifierFor(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return domain.Principal{}, unauthorized(msgCancelled)
		}
		return domain.Principal{}, unauthorized(msgDiscovery)
	}

	tok, err := v.Verify(ctx, rawToken)
	if err != nil {
		return domain.Principal{}, unauthorized(classify(ctx, err))
	}

	var claims map[string]json.RawMessage
	if err := tok.Claims(&claims); err != nil {
		return domain.Principal{}, unauthorized(msgMalformed)
	}
	if msg := o.checkTimes(claims); msg != "" {
		return domain.Principal{}, unauthorized(msg)
	}
	return o.principal(claims)
}

// classify maps a go-oidc error to a refusal message. go-oidc flattens the
// errors of the key set and of go-jose into strings ("%v"), so there is no
// typed error to test; matching its (stable, v3.21.0) wording only chooses
// the message, and anything unrecognised falls back to a generic one.
func classify(ctx context.Context, err error) string {
	if ctx.Err() != nil {
		return msgCancelled
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "unexpected signature algorithm"):
		return msgAlgorithm
	case strings.Contains(s, "malformed jwt"), strings.Contains(s, "failed to unmarshal claims"):
		return msgMalformed
	case strings.Contains(s, "fetching keys"):
		return msgKeys
	case strings.Contains(s, "failed to verify"):
		return msgSignature
	case strings.Contains(s, "issued by a different provider"):
		return msgIssuer
	case strings.Contains(s, "expected audience"):
		return msgAudience
	}
	return msgInvalid
}

// LooksLikeJWT reports whether token has the shape of a compact JWS: three
// non-empty base64url segments (no padding) separated by dots, the first of
// which decodes to a JSON object. It does not verify anything; it lets the
// caller tell a JWT from an API key. An unsigned token (alg "none", empty
// third segment) does not look like a JWT.
func LooksLikeJWT(token string) bool {
	if len(token) == 0 || len(token) > maxJWTBytes {
		return false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i := 0; i < len(p); i++ {
			c := p[i]
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	head = []byte(strings.TrimSpace(string(head)))
	return len(head) > 0 && head[0] == '{'
}
