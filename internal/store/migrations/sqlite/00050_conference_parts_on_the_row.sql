-- +goose Up
-- A conference's parts move onto its row, as JSON in the form the domain
-- gives them: its children in children, and its family members (with their
-- needs and conversations), reports (with their shares) and professionals
-- in parts. The aggregate is read and written whole, so one row replaces
-- the seven tables a read of one conference had to visit; the aggregate's
-- own methods keep the rules the tables' keys and checks kept.
-- SQLite keeps booleans as 0 and 1, written here as JSON true and false.
ALTER TABLE conferences ADD COLUMN children TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conferences ADD COLUMN parts TEXT NOT NULL DEFAULT '{"participants":[],"reports":[],"professionals":[]}';

UPDATE conferences SET
    children = (SELECT json_group_array(json_object(
            'ref', ref, 'name', name, 'unborn', json(iif(unborn, 'true', 'false')),
            'views', json(iif(views_means IS NULL, NULL, json_object('means', views_means, 'recorded_on', views_recorded_on,
                'shared_on', views_shared_on, 'reason', views_reason))))
        ORDER BY position)
        FROM children WHERE conference_id = conferences.id),
    parts = json_object(
        'participants', json((SELECT json_group_array(json_object(
                'id', p.id, 'display_name', p.display_name, 'relationship', p.relationship,
                'invited', json(iif(p.invited, 'true', 'false')), 'attendance', p.attendance,
                'needs_assessed_on', p.needs_assessed_on,
                'private_space_confirmed', json(iif(p.private_space_confirmed, 'true', 'false')),
                'technology_checked', json(iif(p.technology_checked, 'true', 'false')),
                'safety', json(iif(p.safety_concern IS NULL, NULL,
                    json_object('concern', p.safety_concern, 'arrangement', p.safety_arrangement, 'note', p.safety_note))),
                'exclusion', json(iif(p.exclusion_decided_on IS NULL AND p.exclusion_grounds IS NULL, NULL,
                    json_object('decided_by_chair_on', p.exclusion_decided_on, 'grounds', p.exclusion_grounds))),
                'parental_responsibility', json(iif(p.parental_responsibility, 'true', 'false')),
                'informed_on', p.informed_on, 'advocacy_offered_on', p.advocacy_offered_on, 'person_ref', p.person_ref,
                'needs', json((SELECT json_group_array(json_object('kind', kind, 'status', status, 'detail', detail,
                        'language', language, 'interpreter', interpreter) ORDER BY kind)
                    FROM needs WHERE participant_id = p.id)),
                'contacts', json((SELECT json_group_array(json_object('id', id, 'with', with_role, 'on', on_date, 'method', method)
                        ORDER BY position)
                    FROM contacts WHERE participant_id = p.id)))
            ORDER BY p.position)
            FROM participants p WHERE p.conference_id = conferences.id)),
        'reports', json((SELECT json_group_array(json_object(
                'id', r.id, 'agency', r.agency, 'title', r.title, 'received_on', r.received_on,
                'shared_with_chair_on', r.shared_with_chair_on,
                'shares', json((SELECT json_group_array(json_object('id', id, 'participant_id', participant_id,
                        'shared_on', shared_on, 'language', language, 'withheld', json(iif(withheld, 'true', 'false')),
                        'reason', reason, 'chair_agreed_on', chair_agreed_on, 'format', format, 'format_note', format_note)
                        ORDER BY position)
                    FROM report_shares WHERE report_id = r.id)))
            ORDER BY r.position)
            FROM reports r WHERE r.conference_id = conferences.id)),
        'professionals', json((SELECT json_group_array(json_object(
                'id', id, 'agency', agency, 'role', role, 'name', name, 'attendance', attendance,
                'report_expected', json(iif(report_expected, 'true', 'false')))
            ORDER BY position)
            FROM professionals WHERE conference_id = conferences.id)));

DROP TABLE report_shares;
DROP TABLE needs;
DROP TABLE contacts;
DROP TABLE participants;
DROP TABLE reports;
DROP TABLE professionals;
DROP TABLE children;

-- +goose Down
-- The tables come back as the migrations before this one left them, filled
-- from the JSON.
CREATE TABLE children (
    conference_id     TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    ref               TEXT NOT NULL,
    name              TEXT,
    views_means       TEXT CHECK (views_means IN ('attending', 'written', 'advocate', 'social_worker', 'not_applicable')),
    views_recorded_on TEXT CHECK (date(views_recorded_on) IS views_recorded_on),
    views_shared_on   TEXT CHECK (date(views_shared_on) IS views_shared_on),
    unborn            BOOLEAN NOT NULL DEFAULT FALSE,
    views_reason      TEXT,
    PRIMARY KEY (conference_id, ref)
);
CREATE TABLE participants (
    id                      TEXT PRIMARY KEY,
    conference_id           TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position                INTEGER NOT NULL,
    display_name            TEXT NOT NULL,
    relationship            TEXT NOT NULL CHECK (relationship IN ('mother', 'father', 'parent', 'step_parent', 'carer', 'grandparent', 'sibling', 'young_person', 'other_family', 'family_friend')),
    invited                 BOOLEAN NOT NULL,
    attendance              TEXT NOT NULL CHECK (attendance IN ('unknown', 'in_person', 'video', 'phone', 'not_attending', 'excluded')),
    needs_assessed_on       TEXT CHECK (date(needs_assessed_on) IS needs_assessed_on),
    private_space_confirmed BOOLEAN NOT NULL,
    technology_checked      BOOLEAN NOT NULL,
    safety_concern          TEXT CHECK (safety_concern IN ('none', 'domestic_abuse', 'other')),
    safety_arrangement      TEXT CHECK (safety_arrangement IN ('separate_attendance', 'exclusion', 'none_needed')),
    safety_note             TEXT,
    exclusion_decided_on    TEXT CHECK (date(exclusion_decided_on) IS exclusion_decided_on),
    exclusion_grounds       TEXT,
    parental_responsibility BOOLEAN NOT NULL DEFAULT FALSE,
    informed_on             TEXT CHECK (date(informed_on) IS informed_on),
    advocacy_offered_on     TEXT CHECK (date(advocacy_offered_on) IS advocacy_offered_on),
    person_ref              TEXT
);
CREATE INDEX participants_by_conference ON participants (conference_id, position);
CREATE UNIQUE INDEX participants_by_person_ref ON participants (conference_id, person_ref) WHERE person_ref IS NOT NULL;
CREATE TABLE needs (
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('technology', 'childcare', 'language', 'learning_difficulty', 'communication', 'advocacy', 'transport', 'accessibility')),
    status         TEXT NOT NULL CHECK (status IN ('identified', 'arranged', 'not_needed')),
    detail         TEXT,
    language       TEXT,
    interpreter    TEXT CHECK (interpreter IN ('professional', 'family_member')),
    PRIMARY KEY (participant_id, kind)
);
CREATE TABLE contacts (
    id             TEXT PRIMARY KEY,
    participant_id TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    with_role      TEXT NOT NULL CHECK (with_role IN ('social_worker', 'chair')),
    on_date        TEXT NOT NULL CHECK (date(on_date) IS on_date),
    method         TEXT NOT NULL CHECK (method IN ('in_person', 'phone', 'video'))
);
CREATE INDEX contacts_by_participant ON contacts (participant_id, position);
CREATE TABLE reports (
    id                   TEXT PRIMARY KEY,
    conference_id        TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position             INTEGER NOT NULL,
    agency               TEXT NOT NULL CHECK (agency IN ('social_care', 'police', 'health', 'education', 'probation', 'other')),
    title                TEXT NOT NULL,
    received_on          TEXT CHECK (date(received_on) IS received_on),
    shared_with_chair_on TEXT CHECK (date(shared_with_chair_on) IS shared_with_chair_on)
);
CREATE INDEX reports_by_conference ON reports (conference_id, position);
CREATE TABLE report_shares (
    id              TEXT PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    shared_on       TEXT CHECK (date(shared_on) IS shared_on),
    language        TEXT,
    withheld        BOOLEAN NOT NULL,
    reason          TEXT,
    chair_agreed_on TEXT CHECK (date(chair_agreed_on) IS chair_agreed_on),
    format          TEXT CHECK (format IN ('written', 'spoken', 'easy_read', 'other')),
    format_note     TEXT
);
CREATE INDEX report_shares_by_report ON report_shares (report_id, position);
CREATE TABLE professionals (
    id              TEXT PRIMARY KEY,
    conference_id   TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    agency          TEXT NOT NULL CHECK (agency IN ('social_care', 'police', 'health', 'education', 'probation', 'other')),
    role            TEXT,
    name            TEXT NOT NULL,
    attendance      TEXT NOT NULL CHECK (attendance IN ('invited', 'confirmed', 'declined')),
    report_expected BOOLEAN NOT NULL
);
CREATE INDEX professionals_by_conference ON professionals (conference_id, position);

INSERT INTO children
    SELECT c.id, ch.key, ch.value ->> 'ref', ch.value ->> 'name', ch.value ->> '$.views.means', ch.value ->> '$.views.recorded_on',
        ch.value ->> '$.views.shared_on', ch.value ->> 'unborn', ch.value ->> '$.views.reason'
    FROM conferences c, json_each(c.children) ch;
INSERT INTO participants
    SELECT p.value ->> 'id', c.id, p.key, p.value ->> 'display_name', p.value ->> 'relationship', p.value ->> 'invited',
        p.value ->> 'attendance', p.value ->> 'needs_assessed_on', p.value ->> 'private_space_confirmed', p.value ->> 'technology_checked',
        p.value ->> '$.safety.concern', p.value ->> '$.safety.arrangement', p.value ->> '$.safety.note',
        p.value ->> '$.exclusion.decided_by_chair_on', p.value ->> '$.exclusion.grounds', p.value ->> 'parental_responsibility',
        p.value ->> 'informed_on', p.value ->> 'advocacy_offered_on', p.value ->> 'person_ref'
    FROM conferences c, json_each(c.parts, '$.participants') p;
INSERT INTO needs
    SELECT p.value ->> 'id', n.value ->> 'kind', n.value ->> 'status', n.value ->> 'detail', n.value ->> 'language', n.value ->> 'interpreter'
    FROM conferences c, json_each(c.parts, '$.participants') p, json_each(p.value, '$.needs') n;
INSERT INTO contacts
    SELECT k.value ->> 'id', p.value ->> 'id', k.key, k.value ->> 'with', k.value ->> 'on', k.value ->> 'method'
    FROM conferences c, json_each(c.parts, '$.participants') p, json_each(p.value, '$.contacts') k;
INSERT INTO reports
    SELECT r.value ->> 'id', c.id, r.key, r.value ->> 'agency', r.value ->> 'title', r.value ->> 'received_on', r.value ->> 'shared_with_chair_on'
    FROM conferences c, json_each(c.parts, '$.reports') r;
INSERT INTO report_shares
    SELECT s.value ->> 'id', r.value ->> 'id', s.value ->> 'participant_id', s.key, s.value ->> 'shared_on', s.value ->> 'language',
        s.value ->> 'withheld', s.value ->> 'reason', s.value ->> 'chair_agreed_on', s.value ->> 'format', s.value ->> 'format_note'
    FROM conferences c, json_each(c.parts, '$.reports') r, json_each(r.value, '$.shares') s;
INSERT INTO professionals
    SELECT f.value ->> 'id', c.id, f.key, f.value ->> 'agency', f.value ->> 'role', f.value ->> 'name', f.value ->> 'attendance',
        f.value ->> 'report_expected'
    FROM conferences c, json_each(c.parts, '$.professionals') f;

ALTER TABLE conferences DROP COLUMN parts;
ALTER TABLE conferences DROP COLUMN children;
