-- Foundation schema. The shape follows shared/DOMAIN.md: organisations are peers,
-- the care team per patient grants access, every item has a sensitivity level.

CREATE TABLE organisations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('clinic','hospital','nurse_station','pharmacy',
                'care_management','care_facility','dental_clinic','municipality','other')),
  locale      text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja','en')),
  timezone    text NOT NULL DEFAULT 'Asia/Tokyo',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  profession    text NOT NULL DEFAULT 'other' CHECK (profession IN ('physician','dentist','nurse',
                  'pharmacist','care_manager','therapist','dietitian','care_worker','clerk','other')),
  password_hash text NOT NULL,
  locale        text NOT NULL DEFAULT 'ja' CHECK (locale IN ('ja','en')),
  disabled_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A user may belong to several organisations; `admin` manages that organisation's people,
-- devices and settings (not patient data: that takes care-team membership).
CREATE TABLE memberships (
  user_id          uuid NOT NULL REFERENCES users(id),
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  role             text NOT NULL DEFAULT 'staff' CHECK (role IN ('admin','staff')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, organisation_id)
);

CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE patients (
  id                  uuid PRIMARY KEY,
  display_name        text NOT NULL,
  birth_date          date,
  timezone            text NOT NULL DEFAULT 'Asia/Tokyo',
  organisation_id     uuid NOT NULL REFERENCES organisations(id), -- registered by; holds consent
  vitals_sensitivity  text NOT NULL DEFAULT 'team' CHECK (vitals_sensitivity IN ('team','clinical','restricted')),
  created_by          uuid REFERENCES users(id),
  created_at          timestamptz NOT NULL DEFAULT now()
);

-- Being on the patient's care team is what grants access to that patient's data.
CREATE TABLE care_team_members (
  patient_id  uuid NOT NULL REFERENCES patients(id),
  user_id     uuid NOT NULL REFERENCES users(id),
  team_role   text NOT NULL DEFAULT 'member' CHECK (team_role IN ('attending','lead','member')),
  clearance   text NOT NULL CHECK (clearance IN ('team','clinical','restricted')),
  added_by    uuid REFERENCES users(id),
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, user_id)
);
CREATE INDEX care_team_by_user ON care_team_members (user_id);

CREATE TABLE homes (
  id               uuid PRIMARY KEY,
  label            text,
  organisation_id  uuid REFERENCES organisations(id),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gateways (
  id               text PRIMARY KEY,
  label            text,
  home_id          uuid REFERENCES homes(id),
  organisation_id  uuid REFERENCES organisations(id),
  secret_hash      text NOT NULL,
  secret_rotated_at timestamptz NOT NULL DEFAULT now(),
  revoked_at       timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gateway_status (
  gateway_id  text PRIMARY KEY REFERENCES gateways(id),
  state       text NOT NULL,
  reported_at timestamptz,
  version     text,
  boot_id     text,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gateway_events (
  id          bigserial PRIMARY KEY,
  gateway_id  text NOT NULL,
  time        timestamptz NOT NULL,
  device_id   text,
  type        text NOT NULL,
  detail      jsonb,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gateway_events_by_gateway ON gateway_events (gateway_id, time DESC);

CREATE TABLE devices (
  id          text PRIMARY KEY,           -- ble:<address> or serial:<stable id>
  gateway_id  text REFERENCES gateways(id),
  model       text,
  label       text,
  allowed     boolean NOT NULL DEFAULT true,
  first_seen  timestamptz,
  last_seen   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A device belongs to a patient for a time range; readings are matched by measurement time.
CREATE TABLE bindings (
  id          uuid PRIMARY KEY,
  device_id   text NOT NULL REFERENCES devices(id),
  patient_id  uuid NOT NULL REFERENCES patients(id),
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX bindings_by_device ON bindings (device_id, valid_from);

-- One row per reading id; patient_id is NULL while no binding covers the reading.
CREATE TABLE readings (
  id           text PRIMARY KEY,
  patient_id   uuid,
  device_id    text NOT NULL,
  gateway_id   text NOT NULL,
  metric       text NOT NULL,
  time         timestamptz NOT NULL,
  value        double precision,
  unit         text NOT NULL,
  time_source  text NOT NULL,
  flags        text[],
  source_value double precision,
  source_unit  text,
  group_id     text,
  batch_id     text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX readings_patient_metric_time ON readings (patient_id, metric, time DESC);
CREATE INDEX readings_unassigned ON readings (device_id, time) WHERE patient_id IS NULL;

-- Latest value per patient and metric, maintained at ingest, for the wall display.
CREATE TABLE latest_readings (
  patient_id  uuid NOT NULL,
  metric      text NOT NULL,
  value       double precision NOT NULL,
  unit        text NOT NULL,
  time        timestamptz NOT NULL,
  reading_id  text NOT NULL,
  PRIMARY KEY (patient_id, metric)
);

-- A re-sent reading id whose content differs from what was stored first.
CREATE TABLE reading_conflicts (
  id           bigserial PRIMARY KEY,
  reading_id   text NOT NULL,
  batch_id     text NOT NULL,
  gateway_id   text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  payload      jsonb NOT NULL
);

CREATE TABLE dead_letters (
  id            bigserial PRIMARY KEY,
  received_at   timestamptz NOT NULL DEFAULT now(),
  gateway_id    text,
  topic         text,
  batch_id      text,
  reason        text NOT NULL,
  payload       text NOT NULL,            -- truncated to a bound; payload_bytes keeps the size
  payload_bytes integer NOT NULL
);
CREATE INDEX dead_letters_received ON dead_letters (received_at DESC);

-- Append-only: who saw and changed what, when and from where.
CREATE TABLE audit_log (
  id               bigserial PRIMARY KEY,
  at               timestamptz NOT NULL DEFAULT now(),
  user_id          uuid,
  organisation_id  uuid,
  patient_id       uuid,
  action           text NOT NULL,
  target           text,
  detail           jsonb,
  ip               text
);
CREATE INDEX audit_by_patient ON audit_log (patient_id, at DESC);
