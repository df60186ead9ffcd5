package auth

import "github.com/cpcready/cpcready/internal/domain"

var (
	everyone   = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair, domain.RoleManager, domain.RoleAdmin}
	preparers  = []domain.Role{domain.RoleCaseSystem, domain.RoleSocialWorker}
	caseSystem = []domain.Role{domain.RoleCaseSystem}
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
	"updateParticipant":   preparers,
	"deleteParticipant":   preparers,
	"putNeed":             preparers,
	"deleteNeed":          preparers,
	"addContact":          {domain.RoleCaseSystem, domain.RoleSocialWorker, domain.RoleChair},
	"addReport":           preparers,
	"addShare":            preparers,
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
