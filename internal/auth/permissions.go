package auth

import "github.com/cpcready/cpcready/internal/domain"

var (
	everyone   = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin}
	preparers  = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker}
	caseSystem = []domain.Role{domain.RoleCaseSystem}
	// preparersAndChair may call a route where the chair records a
	// decision; the field table below keeps the chair to that decision.
	preparersAndChair = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair}
	// chairDecides may set what only the chair decides: the chair, or a
	// case system relaying what the chair recorded in the case record.
	chairDecides = []domain.Role{domain.RoleCaseSystem, domain.RoleChair}
)

// Permissions is the one table of which roles may call each operation,
// keyed by the operationId the routes and openapi.yaml share. PRODUCT.md's
// role column is the source; managers only read.
var Permissions = map[string][]domain.Role{
	"listConferences":     everyone,
	"createConference":    caseSystem,
	"getConference":       everyone,
	"updateConference":    caseSystem,
	"addParticipant":      preparers,
	"getParticipant":      everyone,
	"getContact":          everyone,
	"getReport":           everyone,
	"getShare":            everyone,
	"getReadinessCheck":   everyone,
	"updateParticipant":   preparersAndChair,
	"deleteParticipant":   preparers,
	"putNeed":             preparers,
	"deleteNeed":          preparers,
	"addContact":          {domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair},
	"addReport":           preparers,
	"addShare":            preparersAndChair,
	"updateReport":        preparers,
	"listProfessionals":   everyone,
	"getProfessional":     everyone,
	"addProfessional":     preparers,
	"updateProfessional":  preparers,
	"deleteProfessional":  preparers,
	"putChildViews":       preparers,
	"getReadiness":        everyone,
	"listReadinessChecks": everyone,
	"addReadinessCheck":   {domain.RoleChair},
	"getHistory":          everyone,
	"getInsights":         {domain.RoleManager, domain.RoleAdmin},
	"getPolicy":           {domain.RoleAdmin},
	"putPolicy":           {domain.RoleAdmin},
	"getPolicyHistory":    {domain.RoleAdmin},
	// Events and webhooks (integration.md).
	"listEvents":               {domain.RoleCaseSystem, domain.RoleManager, domain.RoleAdmin},
	"listWebhooks":             {domain.RoleAdmin},
	"createWebhook":            {domain.RoleAdmin},
	"getWebhook":               {domain.RoleAdmin},
	"updateWebhook":            {domain.RoleAdmin},
	"deleteWebhook":            {domain.RoleAdmin},
	"rotateWebhookSecret":      {domain.RoleAdmin},
	"listWebhookDeliveries":    {domain.RoleAdmin},
	"redeliverWebhookDelivery": {domain.RoleAdmin},
}

// AnyOtherField is the FieldPermissions entry for the fields an operation
// does not name.
const AnyOtherField = "*"

// FieldPermissions narrows an operation's roles field by field, by the
// field's JSON path. A request may set or change a field only when the
// caller's role is listed for it, or, for a field not named, under
// AnyOtherField; an operation without an entry here, or without an
// AnyOtherField entry, leaves its other fields to its roles above.
//
// The chair's decisions (to exclude a family member, on what grounds, and
// to agree that a report is withheld) clear blockers meant for the chair,
// so only chairDecides may write them. The chair may call updateParticipant
// to record an exclusion and the attendance that follows from it, and
// addShare to record a withholding they agreed; every other field of those
// operations stays with the preparers.
var FieldPermissions = map[string]map[string][]domain.Role{
	"addParticipant": {
		"exclusion.decided_by_chair_on": chairDecides,
		"exclusion.grounds":             chairDecides,
	},
	"updateParticipant": {
		"exclusion.decided_by_chair_on": chairDecides,
		"exclusion.grounds":             chairDecides,
		"attendance":                    preparersAndChair,
		AnyOtherField:                   preparers,
	},
	"addShare": {
		"chair_agreed_on": chairDecides,
		"participant_id":  preparersAndChair,
		"withheld":        preparersAndChair,
		"reason":          preparersAndChair,
		AnyOtherField:     preparers,
	},
}

// FieldAllowed reports whether role may set or change the field, named by
// its JSON path, in the operation. It assumes the role may call the
// operation at all (Allowed).
func FieldAllowed(operation, field string, role domain.Role) bool {
	fields, ok := FieldPermissions[operation]
	if !ok {
		return true
	}
	if roles, ok := fields[field]; ok {
		return hasRole(roles, role)
	}
	if roles, ok := fields[AnyOtherField]; ok {
		return hasRole(roles, role)
	}
	return true
}

// ChairContactRoles may record a conversation with the chair: the chair
// themself, or a case system copying it from its records.
var ChairContactRoles = []domain.Role{domain.RoleCaseSystem, domain.RoleChair}

// Allowed reports whether role may call the operation. An operation missing
// from the table is allowed to nobody.
func Allowed(operation string, role domain.Role) bool {
	return hasRole(Permissions[operation], role)
}

func hasRole(roles []domain.Role, role domain.Role) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// MayRecordChairContact reports whether role may record a chair contact.
func MayRecordChairContact(role domain.Role) bool { return hasRole(ChairContactRoles, role) }
