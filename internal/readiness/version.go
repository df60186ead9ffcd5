package readiness

// RulesVersion names the rules' behaviour. Stored findings were computed by
// some version of the rules; when it changes, every conference is evaluated
// again at the next start (see Fingerprint). TestRulesVersionIsBumped fails
// when the rules' output changes and this does not.
const RulesVersion = "2026-12-01.1"

// Fingerprint names everything stored findings depend on besides the
// conference and its organisation's policy: the rules and the calendar.
func Fingerprint(calendarFingerprint string) string {
	return "rules=" + RulesVersion + ";calendar=" + calendarFingerprint
}
