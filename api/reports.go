package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/edit"
)

func (s *Server) handleAddReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		var b edit.ReportInput
		if !s.bind(c, &b, nil) {
			return
		}
		r, err := edit.NewReport(b, s.today())
		if err != nil {
			s.writeError(c, err)
			return
		}
		version, ok := s.ifMatch(c, false)
		if !ok {
			return
		}
		conf, ok := s.update(c, version, edit.AddReport(r, b))
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
		conf, ok := s.update(c, version, edit.AddShare(c.Param("rid"), sh))
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
		conf, ok := s.update(c, version, edit.PutChildViews(c.Param("child_ref"), v, &child, &created))
		if !ok {
			return
		}
		respond(c, statusFor(created), conf.Version, child, "")
	}
}
