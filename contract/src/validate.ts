/**
 * Runtime validation of wire payloads. Batch-level problems reject the whole batch;
 * reading-level problems reject only that reading, so good readings are never taken
 * down by a bad neighbour. Every message names the field and what was expected.
 */
import { isMetric, METRICS, type Metric, valueProblem } from './metrics.ts';
import { isGatewayId } from './topics.ts';
import {
  CONTRACT_VERSION,
  type DeviceRef,
  MAX_BATCH_BYTES,
  MAX_BATCH_READINGS,
  type Reading,
  type ReadingBatch,
} from './types.ts';

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const BLE_DEVICE = /^ble:[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const SERIAL_DEVICE = /^serial:[A-Za-z0-9._:@+-]{1,200}$/;
const MAX_ID = 200;

export type Rejection = { id: string; reason: string; raw: unknown };

/**
 * The plausible measurement times (issue 11 item 6): a reading dated far ahead would stay the
 * "latest" value on the wall forever, one dated 1970 is a reset clock. Times are epoch ms.
 */
export interface TimeWindow {
  /** The receiver's clock now. */
  now: number;
  /** How far ahead of `now` a time may be (clock skew between device, gateway and server). */
  maxAheadMs: number;
  /** The earliest plausible time. */
  earliest: number;
  /**
   * The earliest measurement time the receiver still keeps raw readings of `metric` (its raw
   * retention), or null for any; an older reading would be deleted at once.
   */
  keptSince?: (metric: Metric) => number | null;
}

export interface ValidationOptions {
  /** Left out: any valid time is accepted (no clock to compare with). */
  timeWindow?: TimeWindow;
}

export type BatchValidation =
  | { ok: false; error: string }
  | {
      ok: true;
      batch: Omit<ReadingBatch, 'readings'>;
      readings: Reading[];
      rejected: Rejection[];
    };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return x.length > 40 ? `a string of ${x.length} characters` : `"${x}"`;
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

/** True for an ISO 8601 time with zone whose calendar fields are real (no 2026-02-30). */
export function isIsoTime(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const m = ISO_UTC.exec(s);
  if (!m) return false;
  const t = Date.parse(s);
  if (Number.isNaN(t)) return false;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || h! > 23 || mi! > 59 || se! > 59) return false;
  return d! <= new Date(Date.UTC(y!, mo!, 0)).getUTCDate();
}

function checkId(x: unknown, field: string): string | null {
  if (typeof x !== 'string' || x.length === 0) return `${field} must be a non-empty string, got ${describe(x)}`;
  if (x.length > MAX_ID) return `${field} is ${x.length} characters, at most ${MAX_ID} allowed`;
  if (x.includes('\u0000')) return nulProblem(field);
  return null;
}

/**
 * The path of the first string (value or key) holding a NUL (U+0000) inside `x`, or null.
 * PostgreSQL text and jsonb cannot hold NUL: such a message must be refused here, not by the
 * database in the middle of a commit shared with other gateways (issue 11, item 2).
 */
export function nulField(x: unknown, path = '', depth = 0): string | null {
  if (typeof x === 'string') return x.includes('\u0000') ? path || '(value)' : null;
  if (typeof x !== 'object' || x === null || depth > 20) return null;
  if (Array.isArray(x)) {
    for (const [i, v] of x.entries()) {
      const p = nulField(v, `${path}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [k, v] of Object.entries(x)) {
    const here = path ? `${path}.${k}` : k;
    if (k.includes('\u0000')) return `${path ? `${path}.` : ''}(a key)`;
    const p = nulField(v, here, depth + 1);
    if (p) return p;
  }
  return null;
}

/** The reason for refusing a field that holds a NUL; the value itself is not quoted. */
export function nulProblem(field: string): string {
  return `${field.replaceAll('\u0000', '\\u0000')} contains a NUL character (U+0000), which no text field may hold`;
}

/** `ble:<address lower-case>` or `serial:<stable port id>`, as the contract names devices. */
export function isDeviceId(id: unknown): id is string {
  return typeof id === 'string' && (BLE_DEVICE.test(id) || SERIAL_DEVICE.test(id));
}

function checkDevice(x: unknown): string | null {
  if (!isObject(x)) return `device must be an object, got ${describe(x)}`;
  const d = x as Partial<DeviceRef>;
  if (d.transport !== 'ble' && d.transport !== 'serial')
    return `device.transport must be "ble" or "serial", got ${describe(d.transport)}`;
  const pattern = d.transport === 'ble' ? BLE_DEVICE : SERIAL_DEVICE;
  if (typeof d.id !== 'string' || !pattern.test(d.id))
    return d.transport === 'ble'
      ? `device.id must be "ble:" and a lower-case address like ble:c4:7c:8d:6a:3f:21, got ${describe(d.id)}`
      : `device.id must be "serial:" and a stable port id, got ${describe(d.id)}`;
  if (d.model !== undefined && (typeof d.model !== 'string' || d.model.length > MAX_ID))
    return `device.model must be a string of at most ${MAX_ID} characters, got ${describe(d.model)}`;
  return null;
}

function checkStringArray(x: unknown, field: string): string | null {
  if (x === undefined) return null;
  if (!Array.isArray(x) || x.length > 50 || !x.every((f) => typeof f === 'string' && f.length <= 500))
    return `${field} must be an array of at most 50 strings, got ${describe(x)}`;
  return null;
}

function timeProblem(time: string, w: TimeWindow): string | null {
  const t = Date.parse(time);
  if (t > w.now + w.maxAheadMs)
    return `time ${time} is more than ${Math.round(w.maxAheadMs / 1000)} s ahead of the server's clock (${new Date(w.now).toISOString()}); the device's or the gateway's clock is wrong`;
  if (t < w.earliest)
    return `time ${time} is before ${new Date(w.earliest).toISOString()}, the earliest plausible measurement time; the device's or the gateway's clock was reset`;
  return null;
}

export function retentionProblem(time: string, metric: string, kept: number): string {
  return `time ${time} is before ${new Date(kept).toISOString()}, the start of the raw ${metric} readings this server keeps (its retention); the reading would be deleted at once, so it is not stored (the rollups before that are kept)`;
}

/**
 * Reading ids are unique per gateway (issue 11 item 5), so no gateway can take an id another
 * will send: an id is `<gatewayId>:...` of the publishing gateway, or, for a record stored on
 * the device and downloaded (the same record through any gateway is one reading),
 * `<device.id>:r:<22 base64url characters>` of the reading's own device. The fixed tail makes
 * the device part unambiguous even for serial ids that contain colons.
 */
const DEVICE_RECORD_ID = /^((?:ble|serial):.+):r:[A-Za-z0-9_-]{22}$/;

function idNamespaceProblem(id: string, gatewayId: string, deviceId: string): string | null {
  if (/^(ble|serial):/.test(id)) {
    if (DEVICE_RECORD_ID.exec(id)?.[1] === deviceId) return null;
    return `id ${JSON.stringify(id)} is a device record id of another device than ${deviceId}; a device record id is "${deviceId}:r:" and 22 base64url characters`;
  }
  if (id.startsWith(`${gatewayId}:`)) return null;
  return `id ${JSON.stringify(id)} must begin with "${gatewayId}:" (the publishing gateway's id) or be a device record id of ${deviceId}`;
}

/** Validates one reading; returns the reason it is rejected, or null. */
export function readingProblem(x: unknown, options: ValidationOptions = {}): string | null {
  if (!isObject(x)) return `reading must be an object, got ${describe(x)}`;
  const nul = nulField(x);
  if (nul) return nulProblem(nul);
  const idProblem = checkId(x.id, 'id');
  if (idProblem) return idProblem;
  const deviceProblem = checkDevice(x.device);
  if (deviceProblem) return deviceProblem;
  if (!isIsoTime(x.time)) return `time must be an ISO 8601 time with zone, got ${describe(x.time)}`;
  if (options.timeWindow) {
    const p = timeProblem(x.time, options.timeWindow);
    if (p) return p;
  }
  if (x.timeSource !== 'device' && x.timeSource !== 'gateway')
    return `timeSource must be "device" or "gateway", got ${describe(x.timeSource)}`;
  if (!isMetric(x.metric)) return `unknown metric ${describe(x.metric)}`;
  const unit = METRICS[x.metric].unit;
  if (x.unit !== unit) return `unit of ${x.metric} must be "${unit}", got ${describe(x.unit)}`;
  const kept = options.timeWindow?.keptSince?.(x.metric);
  if (kept != null && Date.parse(x.time) < kept) return retentionProblem(x.time, x.metric, kept);
  if (x.value !== undefined && (typeof x.value !== 'number' || !Number.isFinite(x.value)))
    return `value must be a finite number or left out, got ${describe(x.value)}`;
  const impossible = valueProblem(x.metric, x.value, x.code);
  if (impossible) return impossible;
  if (x.value === undefined && x.code === undefined && !(Array.isArray(x.flags) && x.flags.length > 0))
    return `${'codes' in METRICS[x.metric] ? 'code' : 'value'} is missing and no flag says why`;
  if (x.source !== undefined) {
    const s = x.source;
    if (!isObject(s) || typeof s.value !== 'number' || !Number.isFinite(s.value) || typeof s.unit !== 'string')
      return `source must be {"value": number, "unit": string}, got ${describe(s)}`;
  }
  if (x.group !== undefined) {
    const g = checkId(x.group, 'group');
    if (g) return g;
  }
  return checkStringArray(x.flags, 'flags') ?? checkStringArray(x.notes, 'notes');
}

/** Validates a raw MQTT payload as a ReadingBatch. */
export function validateBatchPayload(payload: Uint8Array | string, options: ValidationOptions = {}): BatchValidation {
  const size = typeof payload === 'string' ? new TextEncoder().encode(payload).byteLength : payload.byteLength;
  if (size > MAX_BATCH_BYTES) return { ok: false, error: `batch is ${size} bytes, at most ${MAX_BATCH_BYTES} allowed` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof payload === 'string' ? payload : new TextDecoder().decode(payload));
  } catch (e) {
    return { ok: false, error: `batch is not valid JSON: ${(e as Error).message}` };
  }
  return validateBatch(parsed, options);
}

export function validateBatch(x: unknown, options: ValidationOptions = {}): BatchValidation {
  if (!isObject(x)) return { ok: false, error: `batch must be a JSON object, got ${describe(x)}` };
  if (x.v !== CONTRACT_VERSION)
    return { ok: false, error: `batch.v must be ${CONTRACT_VERSION}, got ${describe(x.v)}` };
  if (!isGatewayId(x.gatewayId))
    return { ok: false, error: `batch.gatewayId must match [a-z0-9][a-z0-9-]{2,62}, got ${describe(x.gatewayId)}` };
  const batchIdProblem = checkId(x.batchId, 'batch.batchId');
  if (batchIdProblem) return { ok: false, error: batchIdProblem };
  if (!(x.batchId as string).startsWith(`${x.gatewayId}:`))
    return {
      ok: false,
      error: `batch.batchId ${JSON.stringify(x.batchId)} must begin with "${x.gatewayId}:" (the publishing gateway's id)`,
    };
  if (!isIsoTime(x.sentAt))
    return { ok: false, error: `batch.sentAt must be an ISO 8601 time, got ${describe(x.sentAt)}` };
  if (!Array.isArray(x.readings))
    return { ok: false, error: `batch.readings must be an array, got ${describe(x.readings)}` };
  if (x.readings.length < 1 || x.readings.length > MAX_BATCH_READINGS)
    return { ok: false, error: `batch.readings holds ${x.readings.length}, must hold 1 to ${MAX_BATCH_READINGS}` };

  const readings: Reading[] = [];
  const rejected: Rejection[] = [];
  for (const [i, r] of x.readings.entries()) {
    const problem =
      readingProblem(r, options) ?? idNamespaceProblem((r as Reading).id, x.gatewayId, (r as Reading).device.id);
    if (problem) {
      const id =
        isObject(r) && typeof r.id === 'string' && r.id.length > 0 && r.id.length <= MAX_ID
          ? r.id
          : `${x.batchId}#${i}`;
      rejected.push({ id, reason: `readings[${i}]: ${problem}`, raw: r });
    } else {
      readings.push(r as unknown as Reading);
    }
  }
  return {
    ok: true,
    batch: { v: CONTRACT_VERSION, gatewayId: x.gatewayId, batchId: x.batchId as string, sentAt: x.sentAt },
    readings,
    rejected,
  };
}
