-- Issue 15, measured (pnpm -s bench timeline, 7.3 M items): counting receipts and replies per
-- item while listing, and counting unread posts across a member's patients at read time, cost
-- 10–600 ms. Both are now kept as counts, changed in the transaction that changes what they count.

ALTER TABLE timeline_items ADD COLUMN read_count integer NOT NULL DEFAULT 0;
ALTER TABLE timeline_items ADD COLUMN reply_count integer NOT NULL DEFAULT 0;

-- Unread posts per member, patient and sensitivity level. A post adds one for every member of
-- the care team but its author (whatever their clearance: a member whose clearance is raised
-- later may read it then); a receipt, a withdrawal or a change of level takes it off again. The
-- reads count only the levels the member's clearance reaches now.
CREATE TABLE timeline_unread (
  user_id      uuid NOT NULL REFERENCES users(id),
  patient_id   uuid NOT NULL REFERENCES patients(id),
  sensitivity  text NOT NULL CHECK (sensitivity IN ('team','clinical','restricted')),
  unread       integer NOT NULL DEFAULT 0 CHECK (unread >= 0),
  newest       timestamptz NOT NULL,
  PRIMARY KEY (user_id, patient_id, sensitivity)
);
