package store

import (
	"maps"
	"slices"

	"github.com/cpcready/cpcready/internal/domain"
	"gorm.io/gorm"
)

// loadChildren fills in the children of each conference, in one query.
func loadChildren(tx *gorm.DB, confs []domain.Conference) error {
	if len(confs) == 0 {
		return nil
	}
	index := make(map[string]*domain.Conference, len(confs))
	ids := make([]string, len(confs))
	for i := range confs {
		ids[i] = confs[i].ID
		index[confs[i].ID] = &confs[i]
	}
	var rows []childRow
	if err := tx.Where("conference_id IN ?", ids).Order("conference_id, position").Find(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		c := index[r.ConferenceID]
		c.Children = append(c.Children, fromChildRow(r))
	}
	return nil
}

// loadAggregate reads the whole aggregate of one conference row.
func loadAggregate(tx *gorm.DB, row conferenceRow) (*domain.Conference, error) {
	cs, err := loadAggregates(tx, []conferenceRow{row})
	if err != nil {
		return nil, err
	}
	return &cs[0], nil
}

// loadAggregates reads the aggregates of many conference rows in a fixed
// number of queries, one per table, however many rows and parts there are.
func loadAggregates(tx *gorm.DB, rows []conferenceRow) ([]domain.Conference, error) {
	confs := make([]domain.Conference, len(rows))
	ids := make([]string, len(rows))
	byConf := make(map[string]*domain.Conference, len(rows))
	for i, r := range rows {
		confs[i] = fromConferenceRow(r)
		ids[i] = r.ID
		byConf[r.ID] = &confs[i]
	}
	if len(rows) == 0 {
		return confs, nil
	}
	if err := loadChildren(tx, confs); err != nil {
		return nil, err
	}
	var prows []participantRow
	if err := tx.Where("conference_id IN ?", ids).Order("conference_id, position").Find(&prows).Error; err != nil {
		return nil, err
	}
	for _, pr := range prows {
		c := byConf[pr.ConferenceID]
		c.Participants = append(c.Participants, fromParticipantRow(pr))
	}
	var rrows []reportRow
	if err := tx.Where("conference_id IN ?", ids).Order("conference_id, position").Find(&rrows).Error; err != nil {
		return nil, err
	}
	for _, rr := range rrows {
		c := byConf[rr.ConferenceID]
		c.Reports = append(c.Reports, domain.Report{ID: rr.ID, Agency: rr.Agency, Title: rr.Title, ReceivedOn: colDate(rr.ReceivedOn), SharedWithChairOn: colDate(rr.SharedWithChairOn), Shares: []domain.Share{}})
	}
	var profs []professionalRow
	if err := tx.Where("conference_id IN ?", ids).Order("conference_id, position").Find(&profs).Error; err != nil {
		return nil, err
	}
	for _, pr := range profs {
		c := byConf[pr.ConferenceID]
		c.Professionals = append(c.Professionals, fromProfessionalRow(pr))
	}
	// Index the parts only now: appending above may have moved them.
	byParticipant := map[string]*domain.Participant{}
	byReport := map[string]*domain.Report{}
	for i := range confs {
		for j := range confs[i].Participants {
			byParticipant[confs[i].Participants[j].ID] = &confs[i].Participants[j]
		}
		for j := range confs[i].Reports {
			byReport[confs[i].Reports[j].ID] = &confs[i].Reports[j]
		}
	}
	if err := loadParticipantParts(tx, byParticipant); err != nil {
		return nil, err
	}
	if len(byReport) > 0 {
		var shares []shareRow
		if err := tx.Where("report_id IN ?", slices.Collect(maps.Keys(byReport))).Order("report_id, position").Find(&shares).Error; err != nil {
			return nil, err
		}
		for _, s := range shares {
			r := byReport[s.ReportID]
			r.Shares = append(r.Shares, fromShareRow(s))
		}
	}
	return confs, nil
}

// loadParticipantParts fills in the needs and contacts of participants.
func loadParticipantParts(tx *gorm.DB, byID map[string]*domain.Participant) error {
	if len(byID) == 0 {
		return nil
	}
	pids := slices.Collect(maps.Keys(byID))
	var needs []needRow
	if err := tx.Where("participant_id IN ?", pids).Find(&needs).Error; err != nil {
		return err
	}
	for _, n := range needs {
		p := byID[n.ParticipantID]
		p.Needs = append(p.Needs, domain.Need{Kind: n.Kind, Status: n.Status, Detail: colText(n.Detail), Language: colText(n.Language), Interpreter: colText(n.Interpreter)})
	}
	for _, p := range byID {
		sortNeeds(p.Needs)
	}
	var contacts []contactRow
	if err := tx.Where("participant_id IN ?", pids).Order("participant_id, position").Find(&contacts).Error; err != nil {
		return err
	}
	for _, k := range contacts {
		on, _ := domain.ParseDate(k.OnDate)
		p := byID[k.ParticipantID]
		p.Contacts = append(p.Contacts, domain.Contact{ID: k.ID, With: k.WithRole, On: &on, Method: k.Method})
	}
	return nil
}

// sortNeeds orders needs as domain.NeedKinds lists them, so that the
// aggregate reads the same on every database.
func sortNeeds(needs []domain.Need) {
	rank := map[string]int{}
	for i, k := range domain.NeedKinds {
		rank[k] = i
	}
	for i := 1; i < len(needs); i++ {
		for j := i; j > 0 && rank[needs[j].Kind] < rank[needs[j-1].Kind]; j-- {
			needs[j], needs[j-1] = needs[j-1], needs[j]
		}
	}
}
