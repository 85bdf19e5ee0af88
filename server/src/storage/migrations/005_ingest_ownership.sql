-- Issue 11 item 1: a device belongs to the gateway (home) that registered it, and through it to
-- an organisation. A device registered through the API before any gateway has reported it keeps
-- the organisation it was registered under here, so that only a gateway of that organisation can
-- claim it; NULL = not known (any gateway's first reading claims it, as before).
ALTER TABLE devices ADD COLUMN organisation_id uuid REFERENCES organisations(id);
UPDATE devices d SET organisation_id = g.organisation_id FROM gateways g WHERE g.id = d.gateway_id;
