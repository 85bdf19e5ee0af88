/**
 * The fleet view of an organisation's gateways, assembled from the stored rows: last contact,
 * outbox backlog and clock state as the gateway last reported them, devices with their battery,
 * and whether its software is older than the server accepts (VITALS_MIN_GATEWAY_VERSION).
 */
import type { FleetDeviceRow, FleetGatewayRow } from '../../storage/repos/gateways.ts';

/** Compares dotted versions numerically (1.10.0 > 1.9.3); a pre-release suffix ranks below its release. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.trim().replace(/^v/, '').split('-', 2);
    return { parts: core.split('.').map((p) => Number.parseInt(p, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.parts.length, y.parts.length); i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre && !y.pre) return -1;
  if (!x.pre && y.pre) return 1;
  return 0;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);
const latest = (...ds: (Date | null | undefined)[]) =>
  ds.reduce<Date | undefined>((m, d) => (d && (!m || d > m) ? d : m), undefined);

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
