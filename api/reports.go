package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// reportBody is what a caller sends to add or patch a report; shares come
// later, through their own route.
type reportBody struct {
	Agency            string       `json:"agency"`
	Title             string       `json:"title"`
	ReceivedOn        *domain.Date `json:"received_on,omitempty"`
	SharedWithChairOn *domain.Date `json:"shared_with_chair_on,omitempty"`
}

func (s *Server) handleAddReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b reportBody
		if !s.bind(c, &b, nil) {
			return
		}
		r := domain.Report{ID: uuid.NewString(), Agency: b.Agency, Title: b.Title, ReceivedOn: b.ReceivedOn, SharedWithChairOn: b.SharedWithChairOn, Shares: []domain.Share{}}
		if err := r.Validate(s.today()); err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			if len(conf.Reports) >= domain.MaxReports {
				return store.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d reports", domain.MaxReports)
			}
			conf.Reports = append(conf.Reports, r)
			return store.Change{Action: "create", Entity: "report", EntityID: r.ID, After: b}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusCreated, conf.Version, r, conferencePath(conf.ID)+"/reports/"+r.ID)
	}
}

// handleUpdateReport merge-patches a report's own fields, such as the day
// it reached the chair; its shares are left as they are.
func (s *Server) handleUpdateReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		today := s.today()
		var updated domain.Report
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			r := conf.Report(c.Param("rid"))
			if r == nil {
				return store.Change{}, domain.Errorf(domain.ENOTFOUND, "report not found")
			}
			before := reportBody{Agency: r.Agency, Title: r.Title, ReceivedOn: r.ReceivedOn, SharedWithChairOn: r.SharedWithChairOn}
			var next reportBody
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return store.Change{}, err
			}
			candidate := *r
			candidate.Agency, candidate.Title, candidate.ReceivedOn, candidate.SharedWithChairOn = next.Agency, next.Title, next.ReceivedOn, next.SharedWithChairOn
			if err := candidate.Validate(today); err != nil {
				return store.Change{}, err
			}
			*r = candidate
			updated = candidate
			return store.Change{Action: "update", Entity: "report", EntityID: r.ID, Before: before, After: next}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusOK, conf.Version, updated, "")
	}
}

// shareBody is a share or a withholding; the server assigns its id.
type shareBody struct {
	ParticipantID string       `json:"participant_id"`
	SharedOn      *domain.Date `json:"shared_on,omitempty"`
	Language      string       `json:"language,omitempty"`
	Withheld      bool         `json:"withheld"`
	Reason        string       `json:"reason,omitempty"`
	ChairAgreedOn *domain.Date `json:"chair_agreed_on,omitempty"`
	Format        string       `json:"format,omitempty"`
	FormatNote    string       `json:"format_note,omitempty"`
}

func (s *Server) handleAddShare() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b shareBody
		if !s.bind(c, &b, nil) {
			return
		}
		if err := mayWrite(c, nil, b); err != nil {
			s.writeError(c, err)
			return
		}
		sh := domain.Share{ID: uuid.NewString(), ParticipantID: b.ParticipantID, SharedOn: b.SharedOn, Language: b.Language, Withheld: b.Withheld, Reason: b.Reason, ChairAgreedOn: b.ChairAgreedOn, Format: b.Format, FormatNote: b.FormatNote}.WithDefaults()
		if err := sh.Validate(s.today()); err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			r := conf.Report(c.Param("rid"))
			if r == nil {
				return store.Change{}, domain.Errorf(domain.ENOTFOUND, "report not found")
			}
			if conf.Participant(sh.ParticipantID) == nil {
				return store.Change{}, domain.Invalid(domain.FieldError{Field: "participant_id", Message: "is not a participant of this conference"})
			}
			if len(r.Shares) >= domain.MaxShares {
				return store.Change{}, domain.Errorf(domain.EINVALID, "a report has at most %d shares", domain.MaxShares)
			}
			r.Shares = append(r.Shares, sh)
			return store.Change{Action: "create", Entity: "share", EntityID: sh.ID, After: sh}, nil
		})
		if !ok {
			return
		}
		respond(c, http.StatusCreated, conf.Version, sh, conferencePath(conf.ID)+"/reports/"+c.Param("rid")+"/shares/"+sh.ID)
	}
}

func (s *Server) handlePutChildViews() gin.HandlerFunc {
	return func(c *gin.Context) {
		var v domain.ChildViews
		if !s.bind(c, &v, func() error { return v.Validate(s.today()) }) {
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		var child domain.Child
		created := false
		conf, ok := s.update(c, version, func(conf *domain.Conference) (store.Change, error) {
			ch := conf.Child(c.Param("child_ref"))
			if ch == nil {
				return store.Change{}, domain.Errorf(domain.ENOTFOUND, "child not found in this conference")
			}
			before := ch.Views
			created = before == nil
			ch.Views = &v
			child = *ch
			action := "update"
			if created {
				action = "create"
			}
			return store.Change{Action: action, Entity: "child_views", EntityID: ch.Ref, Before: before, After: &v}, nil
		})
		if !ok {
			return
		}
		respond(c, statusFor(created), conf.Version, child, "")
	}
}
