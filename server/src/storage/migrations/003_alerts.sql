-- Alerts, missing-data checks, on-call and notification (issue 7). Every state that matters
-- lives here: alert state, escalation timers and deliveries are claimed with
-- FOR UPDATE SKIP LOCKED, so restarts and several instances lose and duplicate nothing.

-- Per-patient changes to a rule (limits, sustain, hysteresis, enabled); who, when and why.
CREATE TABLE alert_overrides (
  patient_id  uuid NOT NULL REFERENCES patients(id),
  rule_id     text NOT NULL,
  override    jsonb NOT NULL,
  reason      text NOT NULL,
  changed_by  uuid REFERENCES users(id),
  changed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, rule_id)
);

-- A patient's target range for a metric (SpO2 88-92 % for COPD) moves that metric's limits.
CREATE TABLE alert_targets (
  patient_id  uuid NOT NULL REFERENCES patients(id),
  metric      text NOT NULL,
  low         double precision,
  high        double precision,
  reason      text NOT NULL,
  changed_by  uuid REFERENCES users(id),
  changed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (patient_id, metric),
  CHECK (low IS NOT NULL OR high IS NOT NULL),
  CHECK (low IS NULL OR high IS NULL OR low <= high)
);

-- Append-only history of every settings change (overrides, targets, policies, schedules).
CREATE TABLE alert_settings_history (
  id          bigserial PRIMARY KEY,
  patient_id  uuid NOT NULL,
  what        text NOT NULL,
  before      jsonb,
  after       jsonb,
  reason      text NOT NULL,
  changed_by  uuid,
  changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_settings_history_by_patient ON alert_settings_history (patient_id, id DESC);

CREATE TABLE alerts (
  id                   uuid PRIMARY KEY,
  patient_id           uuid NOT NULL REFERENCES patients(id),
  rule                 text NOT NULL,
  rule_key             text NOT NULL DEFAULT '',   -- device, gateway or schedule for per-thing rules
  metric               text,
  priority             text NOT NULL CHECK (priority IN ('high','medium','low')),
  state                text NOT NULL CHECK (state IN ('firing','acknowledged','resolved')),
  late                 boolean NOT NULL DEFAULT false,
  onset_at             timestamptz NOT NULL,       -- measurement time the condition began
  opened_at            timestamptz NOT NULL,       -- measurement time the alarm condition was met
  created_at           timestamptz NOT NULL,       -- server clock when recorded
  updated_at           timestamptz NOT NULL,
  last_value           double precision,
  worst_value          double precision,
  last_seen_at         timestamptz,                -- latest measurement time still in condition
  condition_cleared_at timestamptz,                -- measurement time the condition cleared (high latches)
  repeat_count         integer NOT NULL DEFAULT 0,
  flap_count           integer NOT NULL DEFAULT 0,
  acknowledged_at      timestamptz,
  acknowledged_by      uuid REFERENCES users(id),
  ack_note             text,
  resolved_at          timestamptz,
  resolved_by          uuid REFERENCES users(id),
  resolution           text,                       -- cleared | acknowledged_clear | late | absence | ...
  detail               jsonb,
  notified_priority    text,                       -- highest priority a page went out for
  silenced_by          uuid,
  escalation_step      integer,
  escalation_round     integer NOT NULL DEFAULT 0,
  next_escalation_at   timestamptz
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (patient_id, rule, rule_key) WHERE state <> 'resolved';
CREATE UNIQUE INDEX alerts_one_per_onset ON alerts (patient_id, rule, rule_key, onset_at);
CREATE INDEX alerts_by_patient ON alerts (patient_id, created_at DESC);
CREATE INDEX alerts_by_state ON alerts (state, created_at DESC);
CREATE INDEX alerts_escalation_due ON alerts (next_escalation_at) WHERE next_escalation_at IS NOT NULL;

-- Every transition of an alert, naming the user (null for the system), for the timeline.
CREATE TABLE alert_events (
  id        bigserial PRIMARY KEY,
  alert_id  uuid NOT NULL REFERENCES alerts(id),
  at        timestamptz NOT NULL,
  type      text NOT NULL,
  user_id   uuid,
  detail    jsonb
);
CREATE INDEX alert_events_by_alert ON alert_events (alert_id, id);

-- Readings ingest handed to evaluation; recovery re-evaluates from here after a crash.
CREATE TABLE alert_cursor (
  id           integer PRIMARY KEY CHECK (id = 1),
  received_at  timestamptz NOT NULL
);

CREATE TABLE alert_silences (
  id          uuid PRIMARY KEY,
  patient_id  uuid NOT NULL REFERENCES patients(id),
  rule        text,                                -- null: every rule of the patient
  priority    text NOT NULL CHECK (priority IN ('high','medium','low')), -- highest priority it hides
  reason      text NOT NULL,
  starts_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  ended_at    timestamptz,
  CHECK (expires_at > starts_at)
);
CREATE INDEX alert_silences_by_patient ON alert_silences (patient_id, expires_at);

-- Hospital stay or short stay: pauses missed-measurement, silent-device and offline alarms.
CREATE TABLE planned_absences (
  id          uuid PRIMARY KEY,
  patient_id  uuid NOT NULL REFERENCES patients(id),
  kind        text NOT NULL CHECK (kind IN ('hospital','short_stay','other')),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  reason      text NOT NULL,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX planned_absences_by_patient ON planned_absences (patient_id, ends_at);

-- "Morning blood pressure by 10:00": local times in the patient's zone.
CREATE TABLE measurement_schedules (
  id            uuid PRIMARY KEY,
  patient_id    uuid NOT NULL REFERENCES patients(id),
  metric        text NOT NULL,
  window_start  text NOT NULL,                     -- 'HH:MM' local
  due_time      text NOT NULL,                     -- 'HH:MM' local
  weekdays      integer[] NOT NULL DEFAULT '{0,1,2,3,4,5,6}',
  priority      text NOT NULL DEFAULT 'low' CHECK (priority IN ('high','medium','low')),
  label         text,
  created_by    uuid REFERENCES users(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  removed_at    timestamptz
);
CREATE INDEX measurement_schedules_by_patient ON measurement_schedules (patient_id);

-- One check per schedule and local day, so a restart never checks a day twice.
CREATE TABLE schedule_checks (
  schedule_id  uuid NOT NULL REFERENCES measurement_schedules(id),
  local_date   date NOT NULL,
  checked_at   timestamptz NOT NULL,
  missed       boolean NOT NULL,
  PRIMARY KEY (schedule_id, local_date)
);

-- Gateway connectivity as the alert checker sees it (server clock), from status and traffic.
CREATE TABLE gateway_liveness (
  gateway_id  text PRIMARY KEY,
  state       text NOT NULL CHECK (state IN ('online','offline')),
  since       timestamptz NOT NULL
);

CREATE TABLE device_battery (
  device_id   text PRIMARY KEY,
  level       double precision,
  low         boolean NOT NULL,
  at          timestamptz NOT NULL
);

-- On-call rotas belong to an organisation (the nurse station's 24-hour phone).
CREATE TABLE oncall_rotas (
  id               uuid PRIMARY KEY,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  name             text NOT NULL,
  timezone         text NOT NULL DEFAULT 'Asia/Tokyo',
  handover_time    text NOT NULL DEFAULT '09:00',
  shift_days       integer NOT NULL DEFAULT 1 CHECK (shift_days BETWEEN 1 AND 28),
  start_date       date NOT NULL,
  members          uuid[] NOT NULL,
  created_by       uuid REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE oncall_overrides (
  id          uuid PRIMARY KEY,
  rota_id     uuid NOT NULL REFERENCES oncall_rotas(id),
  user_id     uuid NOT NULL REFERENCES users(id),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  reason      text,
  created_by  uuid REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX oncall_overrides_by_rota ON oncall_overrides (rota_id, ends_at);

-- A patient's escalation policy: steps naming rotas, team roles or people, with delays.
CREATE TABLE escalation_policies (
  patient_id    uuid PRIMARY KEY REFERENCES patients(id),
  steps         jsonb NOT NULL,
  repeat_limit  integer,
  reason        text NOT NULL,
  changed_by    uuid REFERENCES users(id),
  changed_at    timestamptz NOT NULL DEFAULT now()
);

-- Where a person is reached: their webhook (pager gateway), email, Web Push subscriptions.
CREATE TABLE notification_contacts (
  id            uuid PRIMARY KEY,
  user_id       uuid NOT NULL REFERENCES users(id),
  channel       text NOT NULL CHECK (channel IN ('webhook','email','webpush')),
  address       text NOT NULL,                     -- URL, email address or push endpoint
  secret        text,                              -- HMAC key of a webhook
  subscription  jsonb,                             -- Web Push keys
  label         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz
);
CREATE INDEX notification_contacts_by_user ON notification_contacts (user_id);

-- The durable delivery outbox; the idempotency key goes to receivers for de-duplication.
CREATE TABLE notification_deliveries (
  id               bigserial PRIMARY KEY,
  idempotency_key  text NOT NULL UNIQUE,
  alert_id         uuid REFERENCES alerts(id),
  patient_id       uuid,
  event            text NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('webhook','email','webpush','site_webhook')),
  user_id          uuid,
  contact_id       uuid,
  target           text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL CHECK (status IN ('pending','sending','delivered','failed','cancelled')),
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  last_error       text,
  step             integer,
  round            integer,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status IN ('pending','sending');
CREATE INDEX notification_deliveries_by_alert ON notification_deliveries (alert_id, id);

-- Nonces of acknowledgement links already used: a link works once.
CREATE TABLE alert_ack_links_used (
  nonce     text PRIMARY KEY,
  alert_id  uuid NOT NULL,
  user_id   uuid NOT NULL,
  used_at   timestamptz NOT NULL,
  ip        text
);

-- Server-generated secrets (the acknowledgement-link signing key), made once at first use.
CREATE TABLE alert_secrets (
  name   text PRIMARY KEY,
  value  text NOT NULL
);
