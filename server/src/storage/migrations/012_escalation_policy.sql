-- Issue 14: escalation a clinician can trust at 3 a.m.
-- Pages held back by the per-person rate limit are recorded as `suppressed` (with the reason
-- in last_error), pages carried by another page of the same patient as `grouped`.
ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_status_check;
ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_status_check
  CHECK (status IN ('pending','sending','delivered','failed','cancelled','suppressed','grouped'));
-- The delivery that carries a `grouped` page (one message listing several alerts).
ALTER TABLE notification_deliveries ADD COLUMN grouped_into bigint;
-- Finds the pending message a new page of the same patient joins, and counts a person's pages.
CREATE INDEX notification_deliveries_by_user ON notification_deliveries (user_id, created_at) WHERE event = 'alert.page';

-- When a silence's expiry was recorded (audit `silence.expired`): claimed by one instance, once.
ALTER TABLE alert_silences ADD COLUMN expiry_recorded_at timestamptz;
CREATE INDEX alert_silences_unrecorded ON alert_silences (expires_at) WHERE expiry_recorded_at IS NULL AND ended_at IS NULL;

-- What each priority does under the policy (null: the defaults, notify/priority-policy.ts).
ALTER TABLE escalation_policies ADD COLUMN priorities jsonb;
