-- Remote gateway settings (issue 18, fleet view): an organisation's default for all of its
-- gateways and a gateway's own overrides (a key set on the gateway wins over the organisation's).
-- Every change takes a new revision from one sequence, so the revision a gateway must apply
-- (the greater of its organisation's and its own) only ever grows; the gateway reports the
-- revision it applied in its retained status, kept beside the status as settings_revision.
CREATE SEQUENCE gateway_settings_revision;

CREATE TABLE organisation_gateway_settings (
  organisation_id uuid PRIMARY KEY REFERENCES organisations(id),
  settings        jsonb NOT NULL,
  revision        bigint NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      uuid REFERENCES users(id)
);

CREATE TABLE gateway_settings (
  gateway_id text PRIMARY KEY REFERENCES gateways(id),
  settings   jsonb NOT NULL,
  revision   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users(id)
);

ALTER TABLE gateway_status ADD COLUMN settings_revision bigint;
ALTER TABLE gateway_status ADD COLUMN settings_report jsonb;
