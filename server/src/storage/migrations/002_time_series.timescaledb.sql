-- TimescaleDB: readings become a hypertable on measurement time with compression of older
-- chunks, and continuous aggregates per minute, hour and day. A hypertable's unique keys must
-- include the time column, so "each reading id once" is kept by a small ledger of ids.

CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE reading_ids (
  id    text PRIMARY KEY,
  time  timestamptz NOT NULL
);
INSERT INTO reading_ids (id, time) SELECT id, time FROM readings;

ALTER TABLE readings DROP CONSTRAINT readings_pkey;
ALTER TABLE readings ADD PRIMARY KEY (id, time);
SELECT create_hypertable('readings', by_range('time', INTERVAL '1 day'), migrate_data => true);

ALTER TABLE readings SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'patient_id, metric',
  timescaledb.compress_orderby = 'time DESC'
);

CREATE MATERIALIZED VIEW readings_1m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT patient_id, metric, time_bucket(INTERVAL '1 minute', time) AS bucket,
         min(value) AS min, max(value) AS max, sum(value) AS sum, count(value) AS n
    FROM readings WHERE patient_id IS NOT NULL AND value IS NOT NULL
   GROUP BY patient_id, metric, bucket WITH NO DATA;
-- Hours and days are built from the minutes (hierarchical continuous aggregates): refreshing
-- them reads at most 60 or 1,440 rows per patient and metric, never the raw rows again.
CREATE MATERIALIZED VIEW readings_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT patient_id, metric, time_bucket(INTERVAL '1 hour', bucket) AS bucket,
         min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(n)::bigint AS n
    FROM readings_1m
   GROUP BY patient_id, metric, time_bucket(INTERVAL '1 hour', bucket) WITH NO DATA;
CREATE MATERIALIZED VIEW readings_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
  SELECT patient_id, metric, time_bucket(INTERVAL '1 day', bucket) AS bucket,
         min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(n)::bigint AS n
    FROM readings_1h
   GROUP BY patient_id, metric, time_bucket(INTERVAL '1 day', bucket) WITH NO DATA;
