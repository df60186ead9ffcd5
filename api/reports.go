package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/edit"
)

// reportBody is what a caller sends to add or patch a report; shares come
// later, through their own route. The web pages send the same.
type reportBody = edit.ReportInput

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

// handleUpdateReport merge-patches a report's own fields, such as the day
// it reached the chair; its shares are left as they are.
func (s *Server) handleUpdateReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		version, patch, ok := s.readPatch(c)
		if !ok {
			return
		}
		var updated domain.Report
		conf, ok := s.update(c, version, edit.UpdateReport(c.Param("rid"), s.today(), func(before reportBody) (reportBody, error) {
			var next reportBody
			err := applyMergePatch(&before, patch, &next)
			return next, err
		}, &updated))
		if !ok {
			return
		}
		respond(c, http.StatusOK, conf.Version, updated, "")
	}
}

// shareBody is a share or a withholding; the server assigns its id.
type shareBody struct {
	ParticipantID string `json:"participant_id"`
	ShareFields
}

// ShareFields are what a share says beyond whom it went to; the one-call
// create names that person differently (newShare). It is exported so that
// withoutEmbedded leaves its name out of a field path.
type ShareFields struct {
	SharedOn      *domain.Date `json:"shared_on,omitempty"`
	Language      string       `json:"language,omitempty"`
	Withheld      bool         `json:"withheld"`
	Reason        string       `json:"reason,omitempty"`
	ChairAgreedOn *domain.Date `json:"chair_agreed_on,omitempty"`
	Format        string       `json:"format,omitempty"`
	FormatNote    string       `json:"format_note,omitempty"`
}

// share is the new share to participantID, with its defaults filled in.
func (f ShareFields) share(participantID string) domain.Share {
	return domain.Share{ID: uuid.NewString(), ParticipantID: participantID, SharedOn: f.SharedOn, Language: f.Language, Withheld: f.Withheld, Reason: f.Reason, ChairAgreedOn: f.ChairAgreedOn, Format: f.Format, FormatNote: f.FormatNote}.WithDefaults()
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
		sh := b.share(b.ParticipantID)
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
