package edit

import "github.com/cpcready/cpcready/internal/domain"

// findProfessional returns the professional or a not-found error.
func findProfessional(conf *domain.Conference, id string) (*domain.Professional, error) {
	if p := conf.Professional(id); p != nil {
		return p, nil
	}
	return nil, domain.Errorf(domain.ENOTFOUND, "professional not found")
}

// AddProfessional adds an agency's professional, already given its id,
// defaults and validated.
func AddProfessional(p domain.Professional) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		if len(conf.Professionals) >= domain.MaxProfessionals {
			return domain.Change{}, domain.Errorf(domain.EINVALID, "a conference has at most %d professionals", domain.MaxProfessionals)
		}
		conf.Professionals = append(conf.Professionals, p)
		f := p.ProfessionalFields
		return domain.Change{Action: "create", Entity: "professional", EntityID: p.ID, After: &f}, nil
	}
}

// UpdateProfessional replaces a professional's fields with what next makes
// of the current ones, with defaults filled in and validated; updated
// receives the result.
func UpdateProfessional(id string, next func(before domain.ProfessionalFields) (domain.ProfessionalFields, error), updated *domain.Professional) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		p, err := findProfessional(conf, id)
		if err != nil {
			return domain.Change{}, err
		}
		before := p.ProfessionalFields
		after, err := next(before)
		if err != nil {
			return domain.Change{}, err
		}
		after = after.WithDefaults()
		if err := after.Validate(); err != nil {
			return domain.Change{}, err
		}
		p.ProfessionalFields = after
		if updated != nil {
			*updated = *p
		}
		return domain.Change{Action: "update", Entity: "professional", EntityID: p.ID, Before: &before, After: &after}, nil
	}
}

// RemoveProfessional takes a professional off the conference.
func RemoveProfessional(id string) domain.Mutation {
	return func(conf *domain.Conference) (domain.Change, error) {
		p, err := findProfessional(conf, id)
		if err != nil {
			return domain.Change{}, err
		}
		before := p.ProfessionalFields
		conf.RemoveProfessional(id)
		return domain.Change{Action: "delete", Entity: "professional", EntityID: id, Before: &before}, nil
	}
}
