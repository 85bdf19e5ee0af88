/**
 * The fleet view of an organisation's gateways, assembled from the stored rows: last contact,
 * outbox backlog and clock state as the gateway last reported them, devices with their battery,
 * and whether its software is older than the server accepts (VITALS_MIN_GATEWAY_VERSION).
 */
import type { FleetDeviceRow, FleetGatewayRow } from '../../storage/repos/gateways.ts';
import { compareVersions } from '../../versions.ts';

export { compareVersions };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);
const latest = (...ds: (Date | null | undefined)[]) =>
  ds.reduce<Date | undefined>((m, d) => (d && (!m || d > m) ? d : m), undefined);

/**
 * The remote settings of one gateway: its own overrides, what it must apply (its organisation's
 * default overlaid with them) and at which revision, and what it last reported applying.
 * Applied once its reported revision reaches the one it must apply (revisions only grow).
 */
export function settingsView(g: FleetGatewayRow) {
  const revision = g.settings_revision === null ? undefined : Number(g.settings_revision);
  const appliedRevision = g.applied_revision === null ? undefined : Number(g.applied_revision);
  const report = g.settings_report;
  return {
    overrides: g.own_settings ?? {},
    effective: { ...(g.org_settings ?? {}), ...(g.own_settings ?? {}) },
    ...(revision !== undefined ? { revision } : {}),
    ...(appliedRevision !== undefined ? { appliedRevision } : {}),
    ...(report?.applied ? { applied: report.applied } : {}),
    ...(report?.ignored && Object.keys(report.ignored).length ? { ignored: report.ignored } : {}),
    ...(report?.pinned?.length ? { pinned: report.pinned } : {}),
    state:
      revision === undefined
        ? ('none' as const)
        : appliedRevision !== undefined && appliedRevision >= revision
          ? ('applied' as const)
          : ('pending' as const),
  };
}

export function fleetView(
  rows: { gateways: FleetGatewayRow[]; devices: FleetDeviceRow[] },
  minVersion: string | undefined,
) {
  const byGateway = new Map<string, FleetDeviceRow[]>();
  for (const d of rows.devices) byGateway.set(d.gateway_id, [...(byGateway.get(d.gateway_id) ?? []), d]);
  return rows.gateways.map((g) => {
    const devices = byGateway.get(g.id) ?? [];
    const lastContact = latest(g.status_at, g.last_event_at, ...devices.map((d) => d.last_seen));
    return {
      id: g.id,
      ...(g.label ? { label: g.label } : {}),
      organisationId: g.organisation_id,
      revoked: g.revoked_at !== null,
      status: g.liveness ?? g.state ?? 'unknown',
      ...(g.liveness_since ? { statusSince: g.liveness_since.toISOString() } : {}),
      ...(lastContact ? { lastContactAt: lastContact.toISOString() } : {}),
      ...(g.version ? { version: g.version } : {}),
      outdated: minVersion !== undefined && (g.version === null || compareVersions(g.version, minVersion) < 0),
      ...(g.backlog && g.backlog_at
        ? {
            outbox: {
              readings: g.backlog.readings ?? 0,
              ...(g.backlog.oldestAgeSeconds !== undefined ? { oldestAgeSeconds: g.backlog.oldestAgeSeconds } : {}),
              reportedAt: g.backlog_at.toISOString(),
            },
          }
        : {}),
      ...(g.clock_at
        ? {
            clock: {
              adjustedAt: g.clock_at.toISOString(),
              ...(g.clock_device ? { device: g.clock_device } : {}),
              detail: g.clock_detail ?? {},
            },
          }
        : {}),
      settings: settingsView(g),
      devices: devices.map((d) => ({
        id: d.id,
        ...(d.model ? { model: d.model } : {}),
        ...(d.label ? { label: d.label } : {}),
        allowed: d.allowed,
        ...(d.last_seen ? { lastSeenAt: iso(d.last_seen)! } : {}),
        ...(d.battery_at
          ? {
              battery: {
                ...(d.battery_level !== null ? { level: d.battery_level } : {}),
                low: d.battery_low ?? false,
                at: d.battery_at.toISOString(),
              },
            }
          : {}),
      })),
    };
  });
}
