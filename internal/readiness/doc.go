// Package readiness decides whether a child protection conference is ready:
// it turns the rules in PRODUCT.md into findings. It is pure: no database,
// no HTTP, no clock of its own. The caller passes the instant to judge at.
//
// Which findings fire depends only on the conference, the policy and the
// calendar, never on the instant: a report not shared is a finding before
// and after its due date alike. The instant decides only each finding's
// Overdue flag. The service stores the readiness summary (status and
// counts) when a conference is written and answers list queries from it;
// this property is what keeps that stored summary true as time passes.
package readiness
