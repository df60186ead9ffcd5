package readiness

import (
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// childViewsNotRecorded fires for each child born whose views have no
// recorded date, by whatever means, and are not recorded as not applicable
// with a reason (a baby, say). Unborn children are left out by the caller.
// Authority: research (only a fifth were); Working Together 2023 (the
// child's wishes and feelings).
func childViewsNotRecorded(ch *domain.Child) []domain.Finding {
	if notApplicable(ch.Views) || (ch.Views != nil && ch.Views.RecordedOn != nil) {
		return nil
	}
	f := finding(ChildViewsNotRecorded, "A child's views are not recorded.", nil)
	f.ChildRef = ch.Ref
	return []domain.Finding{f}
}

// childViewsNotShared fires for each child whose recorded views have not
// been shared. Views go out with the reports, so the due date is the report
// deadline. Views that are not applicable have nothing to share.
// Authority: research (only a fifth were).
func childViewsNotShared(e *evaluation, ch *domain.Child) []domain.Finding {
	if notApplicable(ch.Views) || ch.Views == nil || ch.Views.RecordedOn == nil || ch.Views.SharedOn != nil {
		return nil
	}
	f := finding(ChildViewsNotShared, "A child's recorded views have not been shared.", &e.due)
	f.ChildRef = ch.Ref
	return []domain.Finding{f}
}

// notApplicable reports whether views are recorded as not to be had, with
// the reason validation demands.
func notApplicable(v *domain.ChildViews) bool {
	return v != nil && v.Means == domain.ViewsNotApplicable && strings.TrimSpace(v.Reason) != ""
}
