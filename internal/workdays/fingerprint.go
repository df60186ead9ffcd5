package workdays

import (
	"fmt"
	"sort"
	"strings"
)

// rulesVersion names the built-in holiday rules. Change it whenever the
// list above or the cal module changes a date, so that stored deadlines are
// worked out again.
const rulesVersion = "ew-1 (cal v2.1.13, state funeral 2022)"

// Fingerprint identifies the calendar's holidays: the built-in rules and
// the extra one-offs. Stored readiness summaries were computed under one
// fingerprint; a different one means they must be computed again.
func (c *Calendar) Fingerprint() string {
	days := make([]string, 0, len(c.extra))
	for d := range c.extra {
		days = append(days, fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d))
	}
	sort.Strings(days)
	return rulesVersion + "; extra: " + strings.Join(days, ",")
}
