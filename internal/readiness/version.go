package readiness

// RulesVersion names the rules' behaviour. Stored findings were computed by
// some version of the rules; when it changes, every conference is evaluated
// again at the next start (see Fingerprint). TestRulesVersionIsBumped fails
// when the rules' output changes and this does not.
const RulesVersion = "2026-12-01.1"

// MeasuresVersion names how measures() counts; the counts are stored with
// the findings, so a change to them must bump it too.
const MeasuresVersion = "2026-12-01.1"

// Fingerprint names everything stored findings and measures depend on
// besides the conference and its organisation's policy: the rules, the
// measures and the calendar.
func Fingerprint(calendarFingerprint string) string {
	return "rules=" + RulesVersion + ";measures=" + MeasuresVersion + ";calendar=" + calendarFingerprint
}
