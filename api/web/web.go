// Package web is the staff web app: server-rendered pages, following the
// GOV.UK Design System's patterns, for social workers, chairs and managers.
// It calls the same store, edits and permission table as the API, so there
// is one write path and one audit trail.
package web

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/cpcready/cpcready/internal/auth"
	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Session lifetimes.
const (
	DefaultIdleTimeout     = 30 * time.Minute
	DefaultAbsoluteTimeout = 10 * time.Hour
)

// Config is what the web app needs.
type Config struct {
	DB  *store.DB
	Log *slog.Logger
	// Demo offers a button per role at /sign-in, signing in as a demo
	// user of organisation DEMO, and no identity provider is used.
	Demo bool
	// OIDC verifies ID tokens: the API's issuer and claims, with the web
	// app's client id as audience. Nil in demo mode.
	OIDC *auth.OIDC
	// Issuer, ClientID, ClientSecret (empty for a public client) and
	// RedirectURL (…/sign-in/callback) set up the sign-in.
	Issuer, ClientID, ClientSecret, RedirectURL string
	// StaffRefClaim names the claim matched against a conference's
	// chair.ref or social_worker.ref for "mine"; "sub" when empty.
	StaffRefClaim string
	// InsecureCookie drops Secure and the __Host- prefix, for plain http
	// in demo mode only.
	InsecureCookie bool
	// IdleTimeout and AbsoluteTimeout bound a session; defaults above.
	IdleTimeout, AbsoluteTimeout time.Duration
	// HTTPClient reaches the identity provider; a 10 s client when nil.
	HTTPClient *http.Client
}

// Server is the web app.
type Server struct {
	cfg      Config
	db       *store.DB
	log      *slog.Logger
	sessions *scs.SessionManager
	pages    map[string]*template.Template
	handler  http.Handler
	signIn   *oidcSignIn
}

// New builds the web app.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if !cfg.Demo && (cfg.OIDC == nil || cfg.ClientID == "" || cfg.RedirectURL == "") {
		return nil, errors.New("web: sign-in needs the OIDC issuer, a client id and a redirect URL, or demo mode")
	}
	if cfg.InsecureCookie && !cfg.Demo {
		return nil, errors.New("web: cookies without Secure are for demo mode only")
	}
	if cfg.StaffRefClaim == "" {
		cfg.StaffRefClaim = "sub"
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.AbsoluteTimeout <= 0 {
		cfg.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: cfg.DB, log: cfg.Log, pages: pages}
	s.sessions = newSessionManager(cfg)
	if !cfg.Demo {
		s.signIn = newOIDCSignIn(cfg)
	}
	s.handler = s.routes()
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func newSessionManager(cfg Config) *scs.SessionManager {
	m := scs.New()
	m.Store = cfg.DB.Sessions()
	// The idle timeout is enforced by signedIn, not by scs: scs would
	// rewrite the session row on every request to move its idle deadline,
	// a database write per page.
	m.Lifetime = cfg.AbsoluteTimeout
	m.HashTokenInStore = true
	m.Cookie.Name = "__Host-cpcready"
	m.Cookie.Secure = true
	if cfg.InsecureCookie {
		// Browsers refuse a __Host- cookie without Secure.
		m.Cookie.Name = "cpcready_session"
		m.Cookie.Secure = false
	}
	m.Cookie.Path = "/"
	m.Cookie.HttpOnly = true
	m.Cookie.SameSite = http.SameSiteLaxMode
	m.Cookie.Persist = false
	return m
}

// routes lists every page. A conference's own pages are under its id;
// family data never goes in a path or query.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", cacheFor(24*time.Hour, http.FileServerFS(static))))

	if s.cfg.Demo {
		mux.HandleFunc("GET /sign-in", s.handleDemoSignInPage)
		mux.HandleFunc("POST /sign-in", s.handleDemoSignIn)
	} else {
		mux.HandleFunc("GET /sign-in/start", s.handleOIDCStart)
		mux.HandleFunc("GET /sign-in/callback", s.handleOIDCCallback)
	}
	mux.HandleFunc("POST /sign-out", s.handleSignOut)
	mux.HandleFunc("GET /signed-out", s.handleSignedOut)

	page := func(pattern string, h pageHandler) { mux.Handle(pattern, s.signedIn(h)) }
	page("GET /{$}", s.handleHome)
	page("GET /print", s.handlePrintPack)
	page("GET /insights", s.handleInsights)
	page("GET /insights/download", s.handleInsightsCSV)
	page("GET /conferences/{id}", s.handleConference)
	page("GET /conferences/{id}/print", s.handlePrint)
	page("GET /conferences/{id}/history", s.handleHistory)
	page("GET /conferences/{id}/participants/{pid}", s.handleParticipant)
	page("POST /conferences/{id}/participants/{pid}/attendance", s.handleSaveAttendance)
	page("POST /conferences/{id}/participants/{pid}/preparation", s.handleSavePreparation)
	page("POST /conferences/{id}/participants/{pid}/needs/{kind}", s.handleSaveNeed)
	page("POST /conferences/{id}/participants/{pid}/contacts", s.handleSaveContact)
	page("POST /conferences/{id}/participants/{pid}/safety", s.handleSaveSafety)
	page("GET /conferences/{id}/reports", s.handleReports)
	page("POST /conferences/{id}/reports", s.handleSaveReport)
	page("POST /conferences/{id}/reports/{rid}/shares", s.handleSaveShare)
	page("POST /conferences/{id}/reports/{rid}", s.handleChangeReport)
	page("GET /conferences/{id}/professionals", s.handleProfessionals)
	page("POST /conferences/{id}/professionals", s.handleAddProfessional)
	page("POST /conferences/{id}/professionals/{prof}", s.handleChangeProfessional)
	page("POST /conferences/{id}/professionals/{prof}/remove", s.handleRemoveProfessional)
	page("GET /conferences/{id}/children", s.handleChildren)
	page("POST /conferences/{id}/children", s.handleSaveChildViews)
	page("GET /conferences/{id}/check", s.handleCheck)
	page("POST /conferences/{id}/check", s.handleSaveCheck)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderStatus(w, r, http.StatusNotFound)
	})

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderStatus(w, r, http.StatusForbidden)
	}))
	// The session is loaded first, so that even a refusal page knows who
	// is signed in; the route is noted for the access log.
	return s.securityHeaders(s.accessLog(s.sessions.LoadAndSave(csrf.Handler(s.limitForms(noteRoute(mux))))))
}

// securityHeaders keeps pages out of caches and frames, and allows only
// the app's own stylesheet: there is no script at all.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(&noStoreWriter{ResponseWriter: w, asset: strings.HasPrefix(r.URL.Path, "/assets/")}, r)
	})
}

// noStoreWriter makes every page no-store as its header goes out: the
// session manager adds its own Cache-Control, which would let a page of a
// family's record be cached.
type noStoreWriter struct {
	http.ResponseWriter
	asset, done bool
}

func (w *noStoreWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		if !w.asset {
			w.Header().Set("Cache-Control", "no-store")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *noStoreWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age="+itoa(int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

// maxFormBytes bounds a posted form; the longest field a page takes is a
// few thousand characters.
const maxFormBytes = 64 << 10

// limitForms reads every posted form up front, refusing one that is too
// large or unreadable with an error page rather than saving it empty.
func (s *Server) limitForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				status := http.StatusBadRequest
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					status = http.StatusRequestEntityTooLarge
				}
				s.renderStatus(w, r, status)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

type routeKey struct{}

// noteRoute records the matched pattern where the access log, outside
// the handlers that copy the request, can read it.
func noteRoute(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			_, *p = mux.Handler(r)
		}
		mux.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs the route pattern, never the path or query.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := "unmatched"
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), routeKey{}, &route)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "page",
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
	})
}

// pageHandler is a page for a signed-in member of staff.
type pageHandler func(w http.ResponseWriter, r *http.Request, u user)

// signedIn sends anyone without a session to sign in.
func (s *Server) signedIn(h pageHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.currentUser(r)
		if !ok {
			if s.sessions.Exists(r.Context(), keyID) {
				// Idle too long: end it here, not at its absolute expiry.
				_ = s.sessions.Destroy(r.Context())
			}
			http.Redirect(w, r, s.signInPath(), http.StatusSeeOther)
			return
		}
		s.touch(r)
		r = r.WithContext(domain.WithPrincipal(r.Context(), u.Principal))
		h(w, r, u)
	})
}

func (s *Server) signInPath() string {
	if s.cfg.Demo {
		return "/sign-in"
	}
	return "/sign-in/start"
}

// fail shows the page for an error from the store: 404 for a conference
// that is absent or another organisation's, 403 for a refusal.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch domain.ErrorKind(err) {
	case domain.ENOTFOUND:
		s.renderStatus(w, r, http.StatusNotFound)
	case domain.EFORBIDDEN:
		s.renderStatus(w, r, http.StatusForbidden)
	case domain.EUNAVAILABLE:
		s.renderStatus(w, r, http.StatusServiceUnavailable)
	default:
		s.log.Error("page failed", slog.String("route", r.Pattern), slog.String("kind", domain.ErrorKind(err)))
		s.renderStatus(w, r, http.StatusInternalServerError)
	}
}

// allowed checks the permission table, as the API does for the same
// operation, and shows the 403 page when the role may not.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request, u user, operation string) bool {
	if auth.Allowed(operation, u.Role) {
		return true
	}
	s.renderStatus(w, r, http.StatusForbidden)
	return false
}
