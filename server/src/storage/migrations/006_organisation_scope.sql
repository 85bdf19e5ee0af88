-- Issue 11: gateways, devices and bindings are scoped to an organisation. A device belongs to the
-- organisation of its gateway; this column keeps the organisation under which it was registered,
-- which is all there is while no gateway has reported it yet.
ALTER TABLE devices ADD COLUMN organisation_id uuid REFERENCES organisations(id);
UPDATE devices d SET organisation_id = g.organisation_id FROM gateways g WHERE g.id = d.gateway_id;
CREATE INDEX gateways_by_organisation ON gateways (organisation_id);
CREATE INDEX devices_by_gateway ON devices (gateway_id);
