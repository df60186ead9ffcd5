package web

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/cpcready/cpcready/internal/domain"
)

// DemoOrg is the organisation demo users belong to.
const DemoOrg = "DEMO"

// user is the signed-in member of staff.
type user struct {
	domain.Principal
	// StaffRef names them in conferences' chair and social worker refs.
	StaffRef string
}

// Session keys.
const (
	keyID, keyName, keyRole, keyOrg, keyRef = "sub", "name", "role", "org", "ref"
	keySeen                                 = "seen"
)

func (s *Server) currentUser(r *http.Request) (user, bool) {
	ctx := r.Context()
	u := user{Principal: domain.Principal{
		ID: s.sessions.GetString(ctx, keyID), Name: s.sessions.GetString(ctx, keyName),
		Role: domain.Role(s.sessions.GetString(ctx, keyRole)), Org: s.sessions.GetString(ctx, keyOrg),
	}, StaffRef: s.sessions.GetString(ctx, keyRef)}
	seen := s.sessions.GetInt64(ctx, keySeen)
	if seen == 0 || time.Since(time.UnixMilli(seen)) > s.cfg.IdleTimeout {
		return user{}, false
	}
	return u, u.ID != "" && u.Org != "" && domain.ValidRole(u.Role)
}

// touch records that the session is in use. It writes at most every
// touchInterval, so the idle timeout is kept to within that much without a
// write per page.
func (s *Server) touch(r *http.Request) {
	interval := min(time.Minute, s.cfg.IdleTimeout/4)
	if time.Since(time.UnixMilli(s.sessions.GetInt64(r.Context(), keySeen))) >= interval {
		s.sessions.Put(r.Context(), keySeen, time.Now().UnixMilli())
	}
}

// startSession signs u in under a new session id, so that an id known
// before sign-in is worth nothing after it.
func (s *Server) startSession(ctx context.Context, u user) error {
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, keyID, u.ID)
	s.sessions.Put(ctx, keyName, u.Name)
	s.sessions.Put(ctx, keyRole, string(u.Role))
	s.sessions.Put(ctx, keyOrg, u.Org)
	s.sessions.Put(ctx, keyRef, u.StaffRef)
	s.sessions.Put(ctx, keySeen, time.Now().UnixMilli())
	return nil
}

// demoRoles are the people who use the pages; a case system uses the API.
var demoRoles = []domain.Role{domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin}

// demoUser is the demo member of staff for a role. The refs match the
// demo conferences' chair and social worker, so that "mine" finds some.
func demoUser(role domain.Role) user {
	word := roleWords(role)
	ref := map[domain.Role]string{domain.RoleSocialWorker: "SW-1", domain.RoleChair: "CH-1"}[role]
	return user{Principal: domain.Principal{ID: "demo-" + strings.ReplaceAll(string(role), "_", "-"), Name: "Demo " + word, Role: role, Org: DemoOrg}, StaffRef: ref}
}

func (s *Server) handleDemoSignInPage(w http.ResponseWriter, r *http.Request) {
	type button struct{ Role, Label string }
	var buttons []button
	for _, role := range demoRoles {
		buttons = append(buttons, button{string(role), "Sign in as " + roleWords(role)})
	}
	s.render(w, r, http.StatusOK, "signin", &page{Title: "Sign in", Data: buttons})
}

func (s *Server) handleDemoSignIn(w http.ResponseWriter, r *http.Request) {
	role := domain.Role(r.PostFormValue("role"))
	ok := false
	for _, d := range demoRoles {
		ok = ok || d == role
	}
	if !ok {
		s.renderStatus(w, r, http.StatusBadRequest)
		return
	}
	if err := s.startSession(r.Context(), demoUser(role)); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
}

func (s *Server) handleSignedOut(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "signedout", &page{Title: "You have signed out", SignInPath: s.signInPath()})
}

// oidcSignIn is the authorization code flow with PKCE against the
// issuer the API trusts. Discovery runs on the first sign-in, not at
// start, so that the service starts while the provider is down.
type oidcSignIn struct {
	cfg Config
	mu  sync.Mutex
	oc  *oauth2.Config
}

func newOIDCSignIn(cfg Config) *oidcSignIn { return &oidcSignIn{cfg: cfg} }

func (o *oidcSignIn) config(ctx context.Context) (*oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oc != nil {
		return o.oc, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.cfg.HTTPClient), o.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	o.oc = &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"},
	}
	return o.oc, nil
}

func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	oc, err := s.signIn.config(r.Context())
	if err != nil {
		s.renderStatus(w, r, http.StatusServiceUnavailable)
		return
	}
	state, nonce, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	s.setSignInCookie(w, strings.Join([]string{state, nonce, verifier}, "."), int(signInCookieTTL/time.Second))
	http.Redirect(w, r, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusSeeOther)
}

func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	state, nonce, verifier := s.takeSignInCookie(w, r)
	q := r.URL.Query()
	if state == "" || q.Get("state") != state || q.Get("code") == "" || verifier == "" {
		s.renderStatus(w, r, http.StatusBadRequest)
		return
	}
	oc, err := s.signIn.config(ctx)
	if err != nil {
		s.renderStatus(w, r, http.StatusServiceUnavailable)
		return
	}
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, s.cfg.HTTPClient), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		s.renderStatus(w, r, http.StatusUnauthorized)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	p, ref, err := s.cfg.OIDC.VerifyIDToken(ctx, raw, nonce, s.cfg.StaffRefClaim)
	if err != nil {
		s.renderStatus(w, r, http.StatusUnauthorized)
		return
	}
	if err := s.startSession(ctx, user{Principal: p, StaffRef: ref}); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// A sign-in's state, nonce and PKCE verifier travel in a short-lived
// cookie of their own, not in the session store, so that visits to
// /sign-in/start by someone who never signs in write no rows.
const signInCookieTTL = 10 * time.Minute

func (s *Server) signInCookieName() string {
	if s.cfg.InsecureCookie {
		return "cpcready_signin"
	}
	return "__Host-cpcready-signin"
}

func (s *Server) setSignInCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.signInCookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: !s.cfg.InsecureCookie, SameSite: http.SameSiteLaxMode,
	})
}

// takeSignInCookie reads the sign-in begun in this browser and clears it,
// so that a callback is answered once.
func (s *Server) takeSignInCookie(w http.ResponseWriter, r *http.Request) (state, nonce, verifier string) {
	c, err := r.Cookie(s.signInCookieName())
	if err != nil {
		return "", "", ""
	}
	s.setSignInCookie(w, "", -1)
	parts := strings.Split(c.Value, ".")
	if len(parts) != 3 {
		return "", "", ""
	}
	return parts[0], parts[1], parts[2]
}
