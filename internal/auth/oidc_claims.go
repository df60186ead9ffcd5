package auth

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
)

// checkTimes enforces exp (required), nbf and iat (when present) with the
// configured leeway. It returns "" when the token is within its lifetime.
func (o *OIDC) checkTimes(claims map[string]json.RawMessage) string {
	now := o.now()
	leeway := o.cfg.Leeway

	exp, ok, err := numericDate(claims["exp"])
	if err != nil {
		return msgMalformed
	}
	if !ok {
		return msgNoExp
	}
	// RFC 7519 4.1.4: the current time must be before exp.
	if !now.Before(exp.Add(leeway)) {
		return msgExpired
	}

	nbf, ok, err := numericDate(claims["nbf"]) // ok: nbf is given
	if err != nil {
		return msgMalformed
	}
	if ok && now.Add(leeway).Before(nbf) {
		return msgNotYetValid
	}

	iat, iatOK, err := numericDate(claims["iat"])
	if err != nil {
		return msgMalformed
	}
	if iatOK && now.Add(leeway).Before(iat) {
		return msgIssuedFuture
	}
	// A token's lifetime runs from when it was issued (or first valid, or
	// else now) to its expiry. A long-lived token is a stolen token's
	// long life: refuse it, whatever the identity provider was told.
	start := now
	switch {
	case iatOK:
		start = iat
	case ok:
		start = nbf
	}
	if exp.Sub(start) > o.cfg.MaxLifetime {
		return msgTooLong
	}
	return ""
}

// numericDate decodes a JWT NumericDate. ok is false when the claim is
// absent or null. Only whole seconds written as a JSON integer are read:
// encoding/json would take the string "1767225600" for a number, and a
// fraction or exponent is not how identity providers write it, so either
// is refused rather than guessed at.
func numericDate(raw json.RawMessage) (t time.Time, ok bool, err error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, false, nil
	}
	if len(raw) > 11 {
		return time.Time{}, false, errors.New("bad NumericDate")
	}
	for _, c := range raw {
		if c < '0' || c > '9' {
			return time.Time{}, false, errors.New("bad NumericDate")
		}
	}
	sec, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, false, err
	}
	return time.Unix(sec, 0), true, nil
}

// stringClaim returns the claim as a non-blank string; ok is false when it is
// absent, null, blank or not a string.
func stringClaim(claims map[string]json.RawMessage, name string) (string, bool) {
	raw, found := claims[name]
	if !found {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	s = strings.TrimSpace(s)
	return s, s != ""
}

// rawString returns the claim as the string it is, untrimmed.
func rawString(claims map[string]json.RawMessage, name string) (string, bool) {
	var s string
	err := json.Unmarshal(claims[name], &s)
	return s, err == nil
}

func (o *OIDC) principal(claims map[string]json.RawMessage) (domain.Principal, error) {
	sub, ok := stringClaim(claims, "sub")
	if !ok {
		return domain.Principal{}, unauthorized(msgNoSubject)
	}
	org, ok := stringClaim(claims, o.cfg.OrgClaim)
	if !ok {
		return domain.Principal{}, unauthorized(msgNoOrg)
	}
	// The code is checked as sent, not trimmed: " E09000006" is refused
	// just as keys create refuses it.
	if raw, _ := rawString(claims, o.cfg.OrgClaim); !domain.ValidOrg(raw) {
		return domain.Principal{}, unauthorized(msgBadOrg)
	}
	role, msg := o.role(claims)
	if msg != "" {
		return domain.Principal{}, unauthorized(msg)
	}
	name, ok := stringClaim(claims, o.cfg.NameClaim)
	if !ok {
		if name, ok = stringClaim(claims, "preferred_username"); !ok {
			name = sub
		}
	}
	return domain.Principal{Kind: domain.PrincipalToken, ID: sub, Name: name, Role: role, Org: org}, nil
}

// role reads the roles claim (a string or an array of strings), keeps only
// values that are known domain roles and requires exactly one distinct role
// to remain. Values the IdP issues for other applications are ignored. Staff
// hold one role per deployment, so a token carrying two different known roles
// is refused as ambiguous rather than guessing (e.g. picking the most
// powerful one); the IdP's role assignment must be fixed instead.
func (o *OIDC) role(claims map[string]json.RawMessage) (domain.Role, string) {
	raw, found := claims[o.cfg.RolesClaim]
	if !found || string(raw) == "null" {
		return "", msgNoRole
	}
	var values []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		values = []string{one}
	} else if err := json.Unmarshal(raw, &values); err != nil {
		return "", msgBadRoles
	}
	var role domain.Role
	for _, v := range values {
		r := domain.Role(strings.TrimSpace(v))
		if !domain.ValidRole(r) {
			continue
		}
		if role != "" && role != r {
			return "", msgAmbiguousRole
		}
		role = r
	}
	if role == "" {
		return "", msgNoRole
	}
	return role, ""
}
