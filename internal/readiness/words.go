package readiness

import "strings"

// Messages name people only by their relationship and reports only by their
// agency: a finding is shown and logged widely, so it must carry no names,
// titles or other personal data.

// who returns "the mother", "the step-parent", or "the family member".
func who(relationship string) string {
	switch relationship {
	case "":
		return "the family member"
	case "step_parent":
		return "the step-parent"
	case "other_family":
		return "the other family member"
	}
	return "the " + strings.ReplaceAll(relationship, "_", " ")
}

// whose returns "the mother's".
func whose(relationship string) string { return who(relationship) + "'s" }

// reportName returns "the police report" and the like.
func reportName(agency string) string {
	switch agency {
	case "social_care":
		return "the social care report"
	case "police", "health", "education", "probation":
		return "the " + agency + " report"
	}
	return "the report from another agency"
}

// needName returns a need kind in words.
func needName(kind string) string { return strings.ReplaceAll(kind, "_", " ") }

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
