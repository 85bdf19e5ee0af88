-- Issue 13: the audit log becomes append-only and tamper-evident.
--
-- Append-only: one statement trigger refuses UPDATE, DELETE and TRUNCATE of audit_log (and of its
-- chain head), whoever runs them through the application's SQL. Rows are removed only by the
-- archive procedure of docs/security.md, run by the table's owner with the triggers disabled.
--
-- Hash chain: every row carries `seq` (1, 2, 3, ... without gaps, in chain order), `prev_hash`
-- (the hash of the row before it) and `hash` = sha256 over the row's canonical serialisation
-- (audit_log_canonical: every field and prev_hash as one JSON array, time in UTC with
-- microseconds). The insert trigger locks the single row of audit_chain, so inserts from several
-- server instances queue there until the inserting transaction ends and form one chain; the
-- chain's order is seq, not id (ids are drawn before the lock). The trigger reads the previous
-- row through the seq index rather than keeping a head row up to date: a row updated again and
-- again in one transaction grows a version chain that makes each update slower (a 100,000-row
-- insert had not finished after 8 minutes). Rows written by a statement earlier in the same statement are visible to
-- a row-level BEFORE trigger, so a multi-row INSERT chains too. READ COMMITTED (the default) is
-- required: under REPEATABLE READ a transaction that waited for the lock does not see the rows
-- committed meanwhile, and its insert fails on the unique seq instead of forking the chain.

ALTER TABLE audit_log ADD COLUMN seq bigint;
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;

-- The lock every insert takes, and where the chain starts: 0 and the genesis hash, or after an
-- archive (docs/security.md) the last archived row.
CREATE TABLE audit_chain (
  id         integer PRIMARY KEY CHECK (id = 1),
  base_seq   bigint NOT NULL,
  base_hash  text NOT NULL
);
INSERT INTO audit_chain VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION audit_log_canonical(r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_array(
    r.seq, r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.user_id,
    r.organisation_id, r.patient_id, r.action, r.target, r.detail, r.ip, r.prev_hash
  )::text
$$;

CREATE FUNCTION audit_log_hash(r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(audit_log_canonical(r), 'UTF8')), 'hex')
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM 1 FROM audit_chain WHERE id = 1 FOR UPDATE;
  SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    SELECT base_seq, base_hash INTO last_seq, last_hash FROM audit_chain WHERE id = 1;
  END IF;
  NEW.seq := last_seq + 1;
  NEW.prev_hash := last_hash;
  NEW.hash := audit_log_hash(NEW);
  RETURN NEW;
END
$$;

-- The rows written before this migration join the chain in id order.
DO $$
DECLARE
  r record;
  n bigint := 0;
  h text := repeat('0', 64);
BEGIN
  FOR r IN SELECT id FROM audit_log ORDER BY id LOOP
    n := n + 1;
    UPDATE audit_log SET seq = n, prev_hash = h WHERE id = r.id;
    UPDATE audit_log a SET hash = audit_log_hash(a) WHERE a.id = r.id RETURNING a.hash INTO h;
  END LOOP;
END
$$;

ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_by_seq ON audit_log (seq);
CREATE INDEX audit_by_organisation ON audit_log (organisation_id, id DESC);
CREATE INDEX audit_by_user ON audit_log (user_id, id DESC);

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'audit rows are never changed or deleted; to archive old rows follow the procedure in docs/security.md (audit log)';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_chain_guarded BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
