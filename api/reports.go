package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/cpcready/cpcready/internal/domain"
)

func (s *Server) handleAddReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		var f domain.ReportFields
		if !s.bind(c, &f, func() error { return f.Validate(s.today()) }) {
			return
		}
		id, today := uuid.NewString(), s.today()
		addPart(s, c, func(r domain.Report) string { return "/reports/" + r.ID }, func(conf *domain.Conference) (domain.Report, domain.Change, error) {
			return conf.AddReport(id, f, today)
		})
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
		rid, today := c.Param("rid"), s.today()
		var updated domain.Report
		conf, ok := s.update(c, version, func(conf *domain.Conference) (ch domain.Change, err error) {
			r, err := conf.FindReport(rid)
			if err != nil {
				return ch, err
			}
			before, next := r.Fields(), domain.ReportFields{}
			if err := applyMergePatch(&before, patch, &next); err != nil {
				return ch, err
			}
			updated, ch, err = conf.UpdateReport(rid, next, today)
			return ch, err
		})
		if !ok {
			return
		}
		respond(c, http.StatusOK, conf.Version, updated, "")
	}
}

// shareBody is a share or a withholding; the server assigns its id.
type shareBody struct {
	ParticipantID string `json:"participant_id"`
	domain.ShareFields
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
		sh := b.Share(uuid.NewString(), b.ParticipantID)
		if err := sh.Validate(s.today()); err != nil {
			s.writeError(c, err)
			return
		}
		rid, today := c.Param("rid"), s.today()
		addPart(s, c, func(sh domain.Share) string { return "/reports/" + rid + "/shares/" + sh.ID }, func(conf *domain.Conference) (domain.Share, domain.Change, error) {
			return conf.AddShare(rid, sh, today)
		})
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
		ref, today := c.Param("child_ref"), s.today()
		var child domain.Child
		var created bool
		conf, ok := s.update(c, version, func(conf *domain.Conference) (ch domain.Change, err error) {
			child, ch, err = conf.RecordChildViews(ref, v, today)
			created = ch.Action == "create"
			return ch, err
		})
		if !ok {
			return
		}
		respond(c, statusFor(created), conf.Version, child, "")
	}
}
