/**
 * The domain events: one map from name to payload that every publisher and subscriber imports
 * (issue 12), and for each, how its payload crosses to other instances (a codec to JSON and
 * back; `Date`s do not survive JSON on their own).
 */
import type { GatewayEvent, GatewayStatus } from '@vitals/contract';
import type { AlertPriority, AlertState } from '../storage/repos/alerts.ts';
import type { StoredReading } from '../storage/repos/readings.ts';

export interface ReadingsStored {
  /** The rows inserted by one commit (re-sent ids left out), in measurement-time order per device. */
  rows: StoredReading[];
  /**
   * When the first message of the commit reached this instance (ms since the epoch, this
   * process's clock): the start of the alert-opening latency. Local only, never sent to other
   * instances (the rules judge a reading on the instance that ingested it).
   */
  arrivedAt?: number;
}

export interface AlertChanged {
  alertId: string;
  patientId: string;
  rule: string;
  priority: AlertPriority;
  state: AlertState;
  /** What happened: `opened`, `acknowledged`, `resolved`, … (the alert event's type). */
  transition: string;
  /** ISO time of the transition. */
  at: string;
}

/** A timeline item was written or changed (edit, withdrawal): views fetch it through the API. */
export interface TimelinePosted {
  itemId: string;
  patientId: string;
  kind: string;
  /** Who may hear of it: members whose clearance reaches this. */
  sensitivity: 'team' | 'clinical' | 'restricted';
  /** ISO time of the item. */
  time: string;
  /** `posted` (new), `edited` or `withdrawn`. */
  change: 'posted' | 'edited' | 'withdrawn';
}

/** A member read a timeline item (a receipt). */
export interface TimelineRead {
  itemId: string;
  patientId: string;
  sensitivity: 'team' | 'clinical' | 'restricted';
  userId: string;
  at: string;
}

export interface DomainEvents {
  /** Ingest committed readings. */
  'readings.stored': ReadingsStored;
  /**
   * Readings stored earlier became a patient's (a new binding reached back to them): the rules
   * judge them, a live view does not show them as new.
   */
  'readings.attached': ReadingsStored;
  /** A gateway's `status` message was committed. */
  'gateway.status': { gatewayId: string; status: Partial<GatewayStatus> };
  /** A gateway's event (battery, …) was committed. */
  'gateway.event': { gatewayId: string; event: GatewayEvent };
  /** An alert changed state, priority or condition (one per recorded transition). */
  'alert.changed': AlertChanged;
  /** A session no longer exists (logout); `sessionId` is the stored hash of its token, never the token. */
  'session.ended': { sessionId: string };
  /** Someone joined or left a patient's care team: what they may see changed. */
  'care-team.changed': { patientId: string; userId: string };
  /** A patient's record changed (name, zone, area, the sensitivity of their vitals, the SpO2 scale). */
  'patient.changed': { patientId: string };
  /** A timeline item was posted, edited or withdrawn (a post, or a system item). */
  'timeline.posted': TimelinePosted;
  /** A member marked a timeline item read. */
  'timeline.read': TimelineRead;
}

export type EventName = keyof DomainEvents;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface Codec<P> {
  encode(payload: P): Json;
  /** Throws when `wire` is not what `encode` makes (another version's event, a corrupt message). */
  decode(wire: Json): P;
}

/** Payloads that are JSON already: sent as they are, checked for the fields named. */
function plain<P>(...fields: string[]): Codec<P> {
  return {
    encode: (p) => p as unknown as Json,
    decode: (w) => {
      if (typeof w !== 'object' || w === null || Array.isArray(w)) throw new Error('the payload is not an object');
      for (const f of fields) if (!(f in w)) throw new Error(`the payload has no ${f}`);
      return w as unknown as P;
    },
  };
}

/** Readings as columns: the field names once, not once per row (the largest payload by far). */
const readings: Codec<ReadingsStored> = {
  encode: ({ rows }) => ({
    id: rows.map((r) => r.id),
    patient: rows.map((r) => r.patient_id),
    device: rows.map((r) => r.device_id),
    gateway: rows.map((r) => r.gateway_id),
    flags: rows.map((r) => r.flags),
    metric: rows.map((r) => r.metric),
    time: rows.map((r) => r.time.getTime()),
    value: rows.map((r) => r.value),
    unit: rows.map((r) => r.unit),
  }),
  decode: (w) => {
    const c = w as Record<string, unknown[]>;
    const n = Array.isArray(c.id) ? c.id.length : -1;
    for (const k of ['id', 'patient', 'device', 'gateway', 'flags', 'metric', 'time', 'value', 'unit'])
      if (!Array.isArray(c[k]) || c[k].length !== n) throw new Error(`the readings have no column ${k} of ${n}`);
    const col = <T>(k: string) => c[k] as T[];
    const [id, patient, device, gateway, flags, metric, time, value, unit] = [
      col<string>('id'),
      col<string | null>('patient'),
      col<string>('device'),
      col<string>('gateway'),
      col<string[] | null>('flags'),
      col<string>('metric'),
      col<number>('time'),
      col<number | null>('value'),
      col<string>('unit'),
    ];
    return {
      rows: id.map((_, i) => ({
        id: id[i]!,
        patient_id: patient[i] ?? null,
        device_id: device[i]!,
        gateway_id: gateway[i]!,
        flags: flags[i] ?? null,
        metric: metric[i]!,
        time: new Date(time[i]!),
        value: value[i] ?? null,
        unit: unit[i]!,
      })),
    };
  },
};

export const eventCodecs: { readonly [K in EventName]: Codec<DomainEvents[K]> } = {
  'readings.stored': readings,
  'readings.attached': readings,
  'gateway.status': plain('gatewayId', 'status'),
  'gateway.event': plain('gatewayId', 'event'),
  'alert.changed': plain('alertId', 'patientId', 'state', 'transition'),
  'session.ended': plain('sessionId'),
  'care-team.changed': plain('patientId', 'userId'),
  'patient.changed': plain('patientId'),
  'timeline.posted': plain('itemId', 'patientId', 'sensitivity', 'change'),
  'timeline.read': plain('itemId', 'patientId', 'sensitivity', 'userId'),
};

export const isEventName = (x: unknown): x is EventName => typeof x === 'string' && Object.hasOwn(eventCodecs, x);
