package api

import (
	"encoding/json"

	"github.com/cpcready/cpcready/internal/domain"
)

// applyMergePatch applies an RFC 7386 JSON merge patch to the JSON form of
// current and decodes the result strictly into dst, so a patch obeys the
// same rules (unknown fields, types, dates) as a create.
func applyMergePatch(current any, patch []byte, dst any) error {
	var p any
	if err := decodeStrict(patch, &p); err != nil {
		return err
	}
	if _, ok := p.(map[string]any); !ok {
		return domain.Errorf(domain.EMALFORMED, "a merge patch must be a JSON object")
	}
	raw, err := json.Marshal(current)
	if err != nil {
		return err
	}
	var base any
	if err := json.Unmarshal(raw, &base); err != nil {
		return err
	}
	merged, err := json.Marshal(mergeValue(base, p))
	if err != nil {
		return err
	}
	return decodeStrict(merged, dst)
}

// mergeValue is RFC 7386's MergePatch: objects merge key by key, null
// removes a key, and anything else replaces the target.
func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergeValue(tm[k], v)
	}
	return tm
}
