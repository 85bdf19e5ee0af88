-- When each gateway was last heard from (any message), so that a gateway that falls silent
-- without its will being delivered still counts as offline.
ALTER TABLE gateway_liveness ADD COLUMN last_seen_at timestamptz;
UPDATE gateway_liveness SET last_seen_at = since WHERE state = 'online';
