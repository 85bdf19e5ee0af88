/**
 * Remote gateway settings (issue 18, fleet view): what an organisation's administrator may
 * change on its gateways from the server, carried in the retained `config` as the `settings`
 * extension `{"revision": N, ...values}`. One table for the server's request schema, the
 * gateway's check of what arrives, and the dashboard's form: every setting is one the gateway
 * applies live, without a restart, with bounds on both sides.
 *
 * The gateway reports what it applied in its retained `status` (extension `settings`:
 * `{"revision": N, "applied": {...}, "ignored": {"key": "why"}}`), so the fleet view can tell
 * "applied" from "pending".
 */

export const GATEWAY_LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type GatewayLogLevel = (typeof GATEWAY_LOG_LEVELS)[number];

interface IntegerSetting {
  kind: 'integer';
  min: number;
  max: number;
  /** The gateway's own value when neither the server nor the local file sets one. */
  default: number;
  unit: string;
  description: string;
}

interface ChoiceSetting {
  kind: 'choice';
  choices: readonly string[];
  default: string;
  description: string;
}

export const GATEWAY_SETTINGS = {
  logLevel: {
    kind: 'choice',
    choices: GATEWAY_LOG_LEVELS,
    default: 'info',
    description: 'how much the gateway logs (debug while a home is being investigated, then back to info)',
  },
  maxReadingsPerSecond: {
    kind: 'integer',
    min: 10,
    max: 100_000,
    default: 20_000,
    unit: 'readings/s',
    description: 'ceiling on readings sent per second while draining a backlog (lower it to spare a busy server)',
  },
  uploadBatchReadings: {
    kind: 'integer',
    min: 1,
    max: 1_000,
    default: 1_000,
    unit: 'readings',
    description: 'most readings in one uploaded batch (smaller batches for a poor mobile link)',
  },
  statusIntervalSeconds: {
    kind: 'integer',
    min: 15,
    max: 3_600,
    default: 60,
    unit: 's',
    description: 'how often a connected gateway repeats its online status (its heartbeat to the server)',
  },
  serverReconnectMaxSeconds: {
    kind: 'integer',
    min: 5,
    max: 3_600,
    default: 60,
    unit: 's',
    description: 'longest wait between attempts to reconnect to the server (back-off ceiling)',
  },
  bleReconnectMaxSeconds: {
    kind: 'integer',
    min: 5,
    max: 3_600,
    default: 60,
    unit: 's',
    description: 'longest wait before reconnecting to a Bluetooth device that failed (back-off ceiling)',
  },
} as const satisfies Record<string, IntegerSetting | ChoiceSetting>;

export type GatewaySettingName = keyof typeof GATEWAY_SETTINGS;
export const GATEWAY_SETTING_NAMES = Object.keys(GATEWAY_SETTINGS) as GatewaySettingName[];

export type GatewaySettingValues = {
  [K in GatewaySettingName]?: (typeof GATEWAY_SETTINGS)[K] extends { kind: 'choice' } ? GatewayLogLevel : number;
};

/** The `settings` extension of the retained config. */
export interface GatewaySettingsMessage extends GatewaySettingValues {
  revision: number;
}

/** What a gateway reports in its status: the revision it applied, the values in force, what it ignored and why. */
export interface GatewaySettingsReport {
  revision: number | null;
  applied: Required<GatewaySettingValues>;
  ignored?: Record<string, string>;
  /** Settings the gateway's local file pins (the remote value is not used for them). */
  pinned?: string[];
}

export function isGatewaySettingName(name: string): name is GatewaySettingName {
  return Object.hasOwn(GATEWAY_SETTINGS, name);
}

/** Why a value is not acceptable for a setting, or null when it is. */
export function gatewaySettingProblem(name: string, value: unknown): string | null {
  if (!isGatewaySettingName(name))
    return `${name} is not a gateway setting (known: ${GATEWAY_SETTING_NAMES.join(', ')})`;
  const s: IntegerSetting | ChoiceSetting = GATEWAY_SETTINGS[name];
  if (s.kind === 'choice')
    return typeof value === 'string' && s.choices.includes(value)
      ? null
      : `${name} must be one of ${s.choices.join(', ')}, got ${JSON.stringify(value)}`;
  return typeof value === 'number' && Number.isInteger(value) && value >= s.min && value <= s.max
    ? null
    : `${name} must be a whole number from ${s.min} to ${s.max} (${s.unit}), got ${JSON.stringify(value)}`;
}

/** The built-in value of every setting. */
export function defaultGatewaySettings(): Required<GatewaySettingValues> {
  return Object.fromEntries(
    GATEWAY_SETTING_NAMES.map((n) => [n, GATEWAY_SETTINGS[n].default]),
  ) as Required<GatewaySettingValues>;
}

/**
 * A settings report as a gateway sent it, cut down to what the server keeps and shows: known
 * settings with plain values, reasons as strings (at most 20, each at most 300 characters), known
 * pinned names. Undefined when it is not a report at all (no whole-number revision or null).
 */
export function settingsReportOf(x: unknown): GatewaySettingsReport | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return undefined;
  const r = x as Record<string, unknown>;
  const revision = r.revision === null ? null : Number.isSafeInteger(r.revision) ? (r.revision as number) : undefined;
  if (revision === undefined) return undefined;
  const applied: Record<string, string | number> = {};
  const a = typeof r.applied === 'object' && r.applied !== null ? (r.applied as Record<string, unknown>) : {};
  for (const name of GATEWAY_SETTING_NAMES) {
    const v = a[name];
    if ((typeof v === 'string' && v.length <= 20) || (typeof v === 'number' && Number.isFinite(v))) applied[name] = v;
  }
  const ignored: Record<string, string> = {};
  const i = typeof r.ignored === 'object' && r.ignored !== null ? (r.ignored as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(i).slice(0, 20))
    if (typeof v === 'string' && k.length <= 64) ignored[k] = v.slice(0, 300);
  const pinned = Array.isArray(r.pinned)
    ? r.pinned.filter((p): p is string => typeof p === 'string' && isGatewaySettingName(p))
    : [];
  return {
    revision,
    applied: applied as Required<GatewaySettingValues>,
    ...(Object.keys(ignored).length ? { ignored } : {}),
    ...(pinned.length ? { pinned } : {}),
  };
}
