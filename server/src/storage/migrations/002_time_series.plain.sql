-- PostgreSQL without TimescaleDB (managed databases often lack it) and PGlite:
-- a BRIN index on arrival time (append-ordered, tiny) drives the rollup job, and rollup
-- tables per minute, hour and day keep chart queries off the raw rows.

CREATE INDEX readings_received_brin ON readings USING brin (received_at);

CREATE TABLE readings_1m (
  patient_id uuid NOT NULL, metric text NOT NULL, bucket timestamptz NOT NULL,
  min double precision NOT NULL, max double precision NOT NULL, sum double precision NOT NULL, n bigint NOT NULL,
  PRIMARY KEY (patient_id, metric, bucket)
);
CREATE TABLE readings_1h (LIKE readings_1m INCLUDING ALL);
CREATE TABLE readings_1d (LIKE readings_1m INCLUDING ALL);

-- How far the rollup job has read readings by received_at.
CREATE TABLE rollup_state (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  watermark   timestamptz NOT NULL
);
INSERT INTO rollup_state (watermark) VALUES ('-infinity');
