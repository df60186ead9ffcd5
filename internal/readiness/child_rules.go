package readiness

import "github.com/cpcready/cpcready/internal/domain"

// childViewsNotRecorded fires for each child whose views have no recorded
// date, by whatever means. Authority: research (only a fifth were).
func childViewsNotRecorded(ch *domain.Child) []domain.Finding {
	if ch.Views != nil && ch.Views.RecordedOn != nil {
		return nil
	}
	f := finding(ChildViewsNotRecorded, "A child's views are not recorded.", nil)
	f.ChildRef = ch.Ref
	return []domain.Finding{f}
}

// childViewsNotShared fires for each child whose recorded views have not
// been shared. Views go out with the reports, so the due date is the report
// deadline. Authority: research (only a fifth were).
func childViewsNotShared(e *evaluation, ch *domain.Child) []domain.Finding {
	if ch.Views == nil || ch.Views.RecordedOn == nil || ch.Views.SharedOn != nil {
		return nil
	}
	f := finding(ChildViewsNotShared, "A child's recorded views have not been shared.", &e.due)
	f.ChildRef = ch.Ref
	return []domain.Finding{f}
}
