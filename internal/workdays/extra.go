package workdays

import (
	"fmt"
	"strings"

	"github.com/cpcready/cpcready/internal/domain"
)

// ParseExtra reads CPCREADY_EXTRA_BANK_HOLIDAYS: a comma-separated list of
// YYYY-MM-DD dates, spaces allowed. An empty string means none. It exists so
// that a newly announced one-off bank holiday needs configuration, not a
// release.
func ParseExtra(s string) ([]domain.Date, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []domain.Date
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue // tolerate "2030-01-02," and doubled commas
		}
		d, err := domain.ParseDate(part)
		if err != nil {
			return nil, fmt.Errorf("extra bank holiday %q is not a YYYY-MM-DD date", part)
		}
		out = append(out, d)
	}
	return out, nil
}
