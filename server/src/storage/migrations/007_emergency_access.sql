-- Issue 13: emergency access ("break-glass"). A user who is not on a patient's care team opens a
-- time-limited, audited access with a reason; while it runs the access core counts the user as a
-- viewer of the patient with `clinical` clearance (server/src/access/). Rows are never deleted:
-- they are part of the record of who could see the patient when.
CREATE TABLE emergency_access (
  id               uuid PRIMARY KEY,
  patient_id       uuid NOT NULL REFERENCES patients(id),
  user_id          uuid NOT NULL REFERENCES users(id),
  organisation_id  uuid REFERENCES organisations(id),
  reason           text NOT NULL CHECK (length(reason) >= 10),
  started_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  CHECK (expires_at > started_at)
);
CREATE INDEX emergency_access_by_user ON emergency_access (user_id, patient_id, expires_at);
CREATE INDEX emergency_access_by_patient ON emergency_access (patient_id, started_at DESC);
