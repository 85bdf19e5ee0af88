-- Scheduled backups (docs/backups.md): one row per scheduled day, claimed by the instance that
-- runs it, so several instances make one backup a day between them.
CREATE TABLE backup_runs (
  day          date PRIMARY KEY,
  instance_id  text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  file         text,
  bytes        bigint,
  error        text
);
