-- Issue 14: observations the care team records, and what a complete NEWS2 needs.

-- The NEWS2 SpO2 scale (RCP 2017): 2 for hypercapnic respiratory failure (target 88–92 %),
-- prescribed by the attending physician; 1 for everyone else.
ALTER TABLE patients ADD COLUMN spo2_scale smallint NOT NULL DEFAULT 1 CHECK (spo2_scale IN (1, 2));

-- A coded reading (consciousness, ACVPU) carries a code and no value. A reading the care team
-- recorded (time_source 'observation', device 'observation', no gateway) names its recorder.
-- IF NOT EXISTS: the possible-range work may add `code` in its own migration.
ALTER TABLE readings ADD COLUMN IF NOT EXISTS code text;
ALTER TABLE readings ADD COLUMN IF NOT EXISTS recorded_by uuid;

ALTER TABLE latest_readings ALTER COLUMN value DROP NOT NULL;
ALTER TABLE latest_readings ADD COLUMN IF NOT EXISTS code text;
ALTER TABLE latest_readings ADD COLUMN IF NOT EXISTS recorded_by uuid;

-- One observation is what one member recorded at one time (its readings share batch_id = id).
-- A correction is a new observation that supersedes an earlier one, at most once; the earlier
-- one is never edited: its readings are flagged `superseded` and leave the alert rules,
-- NEWS2 and the latest values.
CREATE TABLE observations (
  id           uuid PRIMARY KEY,
  patient_id   uuid NOT NULL REFERENCES patients(id),
  time         timestamptz NOT NULL,
  recorded_by  uuid NOT NULL REFERENCES users(id),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  supersedes   uuid UNIQUE REFERENCES observations(id)
);
CREATE INDEX observations_by_patient ON observations (patient_id, time DESC);
