package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/store"
)

// reportBody is what a caller sends to add a report; shares come later.
type reportBody struct {
	Agency     string       `json:"agency"`
	Title      string       `json:"title"`
	ReceivedOn *domain.Date `json:"received_on,omitempty"`
}

func (s *Server) handleAddReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b reportBody
		if !s.bind(c, &b, nil) {
			return
		}
		r := domain.Report{ID: uuid.NewString(), Agency: b.Agency, Title: b.Title, ReceivedOn: b.ReceivedOn, Shares: []domain.Share{}}
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

// shareBody is a share or a withholding; the server assigns its id.
type shareBody struct {
	ParticipantID string       `json:"participant_id"`
	SharedOn      *domain.Date `json:"shared_on,omitempty"`
	Language      string       `json:"language,omitempty"`
	Withheld      bool         `json:"withheld"`
	Reason        string       `json:"reason,omitempty"`
	ChairAgreedOn *domain.Date `json:"chair_agreed_on,omitempty"`
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
		sh := domain.Share{ID: uuid.NewString(), ParticipantID: b.ParticipantID, SharedOn: b.SharedOn, Language: b.Language, Withheld: b.Withheld, Reason: b.Reason, ChairAgreedOn: b.ChairAgreedOn}.WithDefaults()
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
