-- +goose Up
-- A conference's parts move onto its row, as JSON in the form the domain
-- gives them: its children in children, and its family members (with their
-- needs and conversations), reports (with their shares) and professionals
-- in parts. The aggregate is read and written whole, so one row replaces
-- the seven tables a read of one conference had to visit; the aggregate's
-- own methods keep the rules the tables' keys and checks kept. TEXT, not
-- JSONB, so that a row reads back byte for byte as it was written.
ALTER TABLE conferences ADD COLUMN children TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conferences ADD COLUMN parts TEXT NOT NULL DEFAULT '{"participants":[],"reports":[],"professionals":[]}';

UPDATE conferences c SET
    children = coalesce((SELECT json_agg(json_build_object(
            'ref', ref, 'name', name, 'unborn', unborn,
            'views', CASE WHEN views_means IS NOT NULL THEN json_build_object('means', views_means, 'recorded_on', views_recorded_on,
                'shared_on', views_shared_on, 'reason', views_reason) END)
        ORDER BY position)
        FROM children WHERE conference_id = c.id), '[]'::json)::text,
    parts = json_build_object(
        'participants', coalesce((SELECT json_agg(json_build_object(
                'id', p.id, 'display_name', p.display_name, 'relationship', p.relationship,
                'invited', p.invited, 'attendance', p.attendance, 'needs_assessed_on', p.needs_assessed_on,
                'private_space_confirmed', p.private_space_confirmed, 'technology_checked', p.technology_checked,
                'safety', CASE WHEN p.safety_concern IS NOT NULL THEN
                    json_build_object('concern', p.safety_concern, 'arrangement', p.safety_arrangement, 'note', p.safety_note) END,
                'exclusion', CASE WHEN p.exclusion_decided_on IS NOT NULL OR p.exclusion_grounds IS NOT NULL THEN
                    json_build_object('decided_by_chair_on', p.exclusion_decided_on, 'grounds', p.exclusion_grounds) END,
                'parental_responsibility', p.parental_responsibility,
                'informed_on', p.informed_on, 'advocacy_offered_on', p.advocacy_offered_on, 'person_ref', p.person_ref,
                'needs', coalesce((SELECT json_agg(json_build_object('kind', kind, 'status', status, 'detail', detail,
                        'language', language, 'interpreter', interpreter) ORDER BY kind)
                    FROM needs WHERE participant_id = p.id), '[]'::json),
                'contacts', coalesce((SELECT json_agg(json_build_object('id', id, 'with', with_role, 'on', on_date, 'method', method)
                        ORDER BY position)
                    FROM contacts WHERE participant_id = p.id), '[]'::json))
            ORDER BY p.position)
            FROM participants p WHERE p.conference_id = c.id), '[]'::json),
        'reports', coalesce((SELECT json_agg(json_build_object(
                'id', r.id, 'agency', r.agency, 'title', r.title, 'received_on', r.received_on,
                'shared_with_chair_on', r.shared_with_chair_on,
                'shares', coalesce((SELECT json_agg(json_build_object('id', id, 'participant_id', participant_id,
                        'shared_on', shared_on, 'language', language, 'withheld', withheld,
                        'reason', reason, 'chair_agreed_on', chair_agreed_on, 'format', format, 'format_note', format_note)
                        ORDER BY position)
                    FROM report_shares WHERE report_id = r.id), '[]'::json))
            ORDER BY r.position)
            FROM reports r WHERE r.conference_id = c.id), '[]'::json),
        'professionals', coalesce((SELECT json_agg(json_build_object(
                'id', id, 'agency', agency, 'role', role, 'name', name, 'attendance', attendance,
                'report_expected', report_expected)
            ORDER BY position)
            FROM professionals WHERE conference_id = c.id), '[]'::json))::text;

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
    views_recorded_on TEXT CHECK (views_recorded_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    views_shared_on   TEXT CHECK (views_shared_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
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
    needs_assessed_on       TEXT CHECK (needs_assessed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    private_space_confirmed BOOLEAN NOT NULL,
    technology_checked      BOOLEAN NOT NULL,
    safety_concern          TEXT CHECK (safety_concern IN ('none', 'domestic_abuse', 'other')),
    safety_arrangement      TEXT CHECK (safety_arrangement IN ('separate_attendance', 'exclusion', 'none_needed')),
    safety_note             TEXT,
    exclusion_decided_on    TEXT CHECK (exclusion_decided_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    exclusion_grounds       TEXT,
    parental_responsibility BOOLEAN NOT NULL DEFAULT FALSE,
    informed_on             TEXT CHECK (informed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    advocacy_offered_on     TEXT CHECK (advocacy_offered_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
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
    on_date        TEXT NOT NULL CHECK (on_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    method         TEXT NOT NULL CHECK (method IN ('in_person', 'phone', 'video'))
);
CREATE INDEX contacts_by_participant ON contacts (participant_id, position);
CREATE TABLE reports (
    id                   TEXT PRIMARY KEY,
    conference_id        TEXT NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    position             INTEGER NOT NULL,
    agency               TEXT NOT NULL CHECK (agency IN ('social_care', 'police', 'health', 'education', 'probation', 'other')),
    title                TEXT NOT NULL,
    received_on          TEXT CHECK (received_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    shared_with_chair_on TEXT CHECK (shared_with_chair_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$')
);
CREATE INDEX reports_by_conference ON reports (conference_id, position);
CREATE TABLE report_shares (
    id              TEXT PRIMARY KEY,
    report_id       TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    shared_on       TEXT CHECK (shared_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    language        TEXT,
    withheld        BOOLEAN NOT NULL,
    reason          TEXT,
    chair_agreed_on TEXT CHECK (chair_agreed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
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
    SELECT c.id, ch.n - 1, ch.v ->> 'ref', ch.v ->> 'name', ch.v #>> '{views,means}', ch.v #>> '{views,recorded_on}',
        ch.v #>> '{views,shared_on}', (ch.v ->> 'unborn')::boolean, ch.v #>> '{views,reason}'
    FROM conferences c, jsonb_array_elements(c.children::jsonb) WITH ORDINALITY ch(v, n);
INSERT INTO participants
    SELECT p.v ->> 'id', c.id, p.n - 1, p.v ->> 'display_name', p.v ->> 'relationship', (p.v ->> 'invited')::boolean,
        p.v ->> 'attendance', p.v ->> 'needs_assessed_on', (p.v ->> 'private_space_confirmed')::boolean, (p.v ->> 'technology_checked')::boolean,
        p.v #>> '{safety,concern}', p.v #>> '{safety,arrangement}', p.v #>> '{safety,note}',
        p.v #>> '{exclusion,decided_by_chair_on}', p.v #>> '{exclusion,grounds}', (p.v ->> 'parental_responsibility')::boolean,
        p.v ->> 'informed_on', p.v ->> 'advocacy_offered_on', p.v ->> 'person_ref'
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'participants') WITH ORDINALITY p(v, n);
INSERT INTO needs
    SELECT p.v ->> 'id', n.v ->> 'kind', n.v ->> 'status', n.v ->> 'detail', n.v ->> 'language', n.v ->> 'interpreter'
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'participants') p(v), jsonb_array_elements(p.v -> 'needs') n(v);
INSERT INTO contacts
    SELECT k.v ->> 'id', p.v ->> 'id', k.n - 1, k.v ->> 'with', k.v ->> 'on', k.v ->> 'method'
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'participants') p(v), jsonb_array_elements(p.v -> 'contacts') WITH ORDINALITY k(v, n);
INSERT INTO reports
    SELECT r.v ->> 'id', c.id, r.n - 1, r.v ->> 'agency', r.v ->> 'title', r.v ->> 'received_on', r.v ->> 'shared_with_chair_on'
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'reports') WITH ORDINALITY r(v, n);
INSERT INTO report_shares
    SELECT s.v ->> 'id', r.v ->> 'id', s.v ->> 'participant_id', s.n - 1, s.v ->> 'shared_on', s.v ->> 'language',
        (s.v ->> 'withheld')::boolean, s.v ->> 'reason', s.v ->> 'chair_agreed_on', s.v ->> 'format', s.v ->> 'format_note'
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'reports') r(v), jsonb_array_elements(r.v -> 'shares') WITH ORDINALITY s(v, n);
INSERT INTO professionals
    SELECT f.v ->> 'id', c.id, f.n - 1, f.v ->> 'agency', f.v ->> 'role', f.v ->> 'name', f.v ->> 'attendance',
        (f.v ->> 'report_expected')::boolean
    FROM conferences c, jsonb_array_elements(c.parts::jsonb -> 'professionals') WITH ORDINALITY f(v, n);

ALTER TABLE conferences DROP COLUMN parts;
ALTER TABLE conferences DROP COLUMN children;
