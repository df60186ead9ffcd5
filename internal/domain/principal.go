package domain

import (
	"context"
	"regexp"
)

// Role is what a principal may do.
type Role string

const (
	RoleCaseSystem   Role = "case_system"
	RoleSocialWorker Role = "social_worker"
	RoleChair        Role = "chair"
	RoleManager      Role = "manager"
	RoleAdmin        Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleCaseSystem, RoleSocialWorker, RoleChair, RoleManager, RoleAdmin}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// PrincipalKind says what kind of credential a principal presented. An id
// is unique only within its kind and organisation: a token's subject is
// chosen by the identity provider and may equal a key's id.
type PrincipalKind string

const (
	PrincipalKey    PrincipalKind = "key"
	PrincipalToken  PrincipalKind = "token"
	PrincipalSystem PrincipalKind = "system"
)

// Principal is who is calling: an API key or a signed-in member of staff.
type Principal struct {
	Kind PrincipalKind
	// ID is the key's id or the token's subject; never a secret.
	ID   string
	Name string
	Role Role
	Org  string
	// RateLimit is an API key's own request rate per second; zero for a
	// staff token, which takes the deployment's per-person default.
	RateLimit float64
}

// Key names the principal uniquely across organisations and kinds, for
// anything kept per principal (rate-limit buckets, caches).
func (p Principal) Key() string { return p.Org + "\x00" + string(p.Kind) + "\x00" + p.ID }

// Rate limits of API keys, in requests per second. The default is sized
// for a large council's case system pushing its diary overnight: some
// 3,000 upcoming conferences, each a create and a dozen or so updates to
// its family members, reports and shares, is 40,000 requests; at 50 a
// second that takes under a quarter of an hour, leaving room for retries.
const (
	DefaultKeyRateLimit = 50
	// MaxKeyRateLimit only bounds the setting; no real caller nears it.
	MaxKeyRateLimit = 1_000_000
)

type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

type requestIDKey struct{}

// WithRequestID returns a context carrying the request's id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

type clientRequestIDKey struct{}

// WithClientRequestID returns a context carrying the id the client sent
// for its request. It is kept apart from the server's own id: clients can
// reuse theirs, so it cannot name one request.
func WithClientRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, clientRequestIDKey{}, id)
}

// ClientRequestIDFrom returns the client's request id in ctx, or "".
func ClientRequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientRequestIDKey{}).(string)
	return s
}

// orgCodePattern is the one format of an organisation code: 1 to 16
// upper-case letters and digits, as ONS codes (E09000006) and short codes
// (DEMO) are written. Nothing is trimmed or folded: " E09000006" or
// "e09000006" would otherwise become a second tenant.
var orgCodePattern = regexp.MustCompile(`^[A-Z0-9]{1,16}$`)

// ValidOrg reports whether code is an organisation code.
func ValidOrg(code string) bool { return orgCodePattern.MatchString(code) }
