-- Issue 17: connecting to other systems. The FHIR R4 read API's lookups, API clients for
-- machines, webhooks per organisation and event type, and FHIR bulk exports.

-- FHIR resource ids are opaque: md5 of our id (a reading id or device id may hold ':' and be
-- longer than FHIR's 64 characters). These find a reading and a device by it.
CREATE INDEX readings_fhir_id ON readings (md5(id));
-- Keyset paging of one patient's Observations by measurement time, whatever their metric.
CREATE INDEX readings_patient_time ON readings (patient_id, time, id);

-- A machine (an EHR, a regional network) that reads through the FHIR API: created by an
-- administrator of its organisation, limited to chosen patients (their care teams) and to a
-- clearance of `team` or `clinical`; its secret is stored hashed and shown once.
CREATE TABLE api_clients (
  id               uuid PRIMARY KEY,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  name             text NOT NULL,
  scopes           text[] NOT NULL,
  clearance        text NOT NULL CHECK (clearance IN ('team','clinical')),
  secret_hash      text NOT NULL,
  secret_rotated_at timestamptz NOT NULL DEFAULT now(),
  created_by       uuid REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  revoked_at       timestamptz
);
CREATE INDEX api_clients_by_organisation ON api_clients (organisation_id);

CREATE TABLE api_client_patients (
  client_id   uuid NOT NULL REFERENCES api_clients(id),
  patient_id  uuid NOT NULL REFERENCES patients(id),
  PRIMARY KEY (client_id, patient_id)
);

-- Access tokens from the client-credentials grant (hashed, short-lived).
CREATE TABLE api_client_tokens (
  token_hash  text PRIMARY KEY,
  client_id   uuid NOT NULL REFERENCES api_clients(id),
  scopes      text[] NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_client_tokens_by_client ON api_client_tokens (client_id);

-- Webhooks per organisation and event type; deliveries go through the delivery outbox
-- (notification_deliveries, channel 'org_webhook').
CREATE TABLE webhook_subscriptions (
  id               uuid PRIMARY KEY,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  url              text NOT NULL,
  events           text[] NOT NULL,
  secret           text NOT NULL,
  -- 'ids': ids and links only (the default: minimum necessary); 'data': the reading values too.
  detail           text NOT NULL DEFAULT 'ids' CHECK (detail IN ('ids','data')),
  label            text,
  created_by       uuid REFERENCES users(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  disabled_at      timestamptz
);
CREATE INDEX webhook_subscriptions_by_organisation ON webhook_subscriptions (organisation_id);

ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_channel_check;
ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_channel_check
  CHECK (channel IN ('webhook','email','webpush','site_webhook','org_webhook'));
ALTER TABLE notification_deliveries ADD COLUMN subscription_id uuid;
CREATE INDEX notification_deliveries_by_subscription ON notification_deliveries (subscription_id, id DESC)
  WHERE subscription_id IS NOT NULL;

-- FHIR Bulk Data exports: a job any instance may claim (FOR UPDATE SKIP LOCKED with a lease);
-- its cursor records how far it got, so a job whose instance died goes on from there.
CREATE TABLE fhir_exports (
  id               uuid PRIMARY KEY,
  user_id          uuid REFERENCES users(id),
  client_id        uuid REFERENCES api_clients(id),
  organisation_id  uuid,
  request_url      text NOT NULL,
  patient_ids      uuid[] NOT NULL,
  types            text[] NOT NULL,
  since            timestamptz,
  until            timestamptz NOT NULL,            -- the transaction time: nothing received later
  status           text NOT NULL CHECK (status IN ('queued','running','complete','failed','cancelled')),
  done_patients    integer NOT NULL DEFAULT 0,      -- the cursor: patients counted so far
  files            jsonb NOT NULL DEFAULT '[]',     -- [{type, patients: [...], count}]
  lease_until      timestamptz,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz
);
CREATE INDEX fhir_exports_due ON fhir_exports (created_at) WHERE status IN ('queued','running');
