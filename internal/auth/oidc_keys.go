package auth

import (
	"context"
	"errors"

	"github.com/coreos/go-oidc/v3/oidc"
)

// discoveryCall is one discovery request in flight, shared by every Verify
// that waits for it; err is set before done is closed.
type discoveryCall struct {
	done chan struct{}
	err  error
}

func (o *OIDC) keySet(url string) oidc.KeySet { return newThrottledKeySet(url, o.client, o.now) }

func (o *OIDC) newVerifier(ks oidc.KeySet) *oidc.IDTokenVerifier {
	return oidc.NewVerifier(o.cfg.Issuer, ks, &oidc.Config{
		ClientID:             o.cfg.Audience,
		SupportedSigningAlgs: oidcSigningAlgs,
		// go-oidc checks exp with no skew at all (expired when exp is before
		// now) and nbf with a hard-coded 5 minute skew, and never looks at
		// iat; none of that is configurable. Turning its check off turns off
		// both exp and nbf, so checkTimes enforces exp, nbf and iat with our
		// own leeway and clock.
		SkipExpiryCheck: true,
	})
}

// verifierFor returns the verifier, running discovery first when the JWKS URL
// was not configured. A failed discovery is not cached: the next call tries
// again. Concurrent callers share one discovery request.
func (o *OIDC) verifierFor(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	if v := o.verifier; v != nil {
		o.mu.Unlock()
		return v, nil
	}
	call := o.discovery
	if call == nil {
		call = &discoveryCall{done: make(chan struct{})}
		o.discovery = call
		go o.discover(call)
	}
	o.mu.Unlock()

	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-call.done:
	}
	if call.err != nil {
		return nil, call.err
	}
	o.mu.Lock()
	v := o.verifier
	o.mu.Unlock()
	if v == nil {
		return nil, errors.New("oidc: discovery produced no verifier")
	}
	return v, nil
}

// discover fetches {issuer}/.well-known/openid-configuration. oidc.NewProvider
// checks that the document's issuer equals the configured one. It runs on
// keyCtx (not the caller's context) so that a caller giving up does not waste
// the attempt for everyone else; the client timeout bounds it.
func (o *OIDC) discover(call *discoveryCall) {
	var v *oidc.IDTokenVerifier
	p, err := oidc.NewProvider(o.keyCtx, o.cfg.Issuer)
	if err == nil {
		var meta struct {
			JWKSURL string `json:"jwks_uri"`
		}
		if err = p.Claims(&meta); err == nil {
			if meta.JWKSURL == "" {
				err = errors.New("oidc: discovery document has no jwks_uri")
			} else if err = checkURL(meta.JWKSURL); err == nil {
				v = o.newVerifier(o.keySet(meta.JWKSURL))
			}
		}
	}

	o.mu.Lock()
	if err == nil {
		o.verifier = v
	}
	o.discovery = nil
	o.mu.Unlock()
	call.err = err
	close(call.done)
}
