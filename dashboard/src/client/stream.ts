/**
 * The live reading stream (`GET /api/v1/stream`, Server-Sent Events, cookie auth). EventSource
 * reconnects by itself after a dropped connection; when the server refuses the connection
 * (EventSource then gives up for good) we check the session and open a new one with backoff.
 * After any reconnection, listeners are asked to reload, as readings sent meanwhile are lost.
 */
import { isMetric, type Metric } from '@vitals/contract';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** `event: reading` */
export interface LiveReading {
  patientId: string;
  metric: Metric;
  t: string;
  v: number;
  unit: string;
}

/** An SSE `data` field as a JSON object, or null when it is not one. */
function jsonObject(data: string): Record<string, unknown> | null {
  try {
    const x: unknown = JSON.parse(data);
    return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The reading in an SSE `data` field, or null when it is not one (ignored, never thrown). */
export function parseLiveReading(data: string): LiveReading | null {
  const r = jsonObject(data);
  if (!r) return null;
  if (typeof r.patientId !== 'string' || !isMetric(r.metric) || typeof r.t !== 'string') return null;
  if (typeof r.v !== 'number' || !Number.isFinite(r.v) || Number.isNaN(Date.parse(r.t))) return null;
  return { patientId: r.patientId, metric: r.metric, t: r.t, v: r.v, unit: typeof r.unit === 'string' ? r.unit : '' };
}

/** `event: alert`: an alert of a visible patient changed (opened, acknowledged, resolved, …). */
export interface LiveAlertChange {
  alertId: string;
  patientId: string;
  rule: string;
  priority: string;
  state: string;
  transition: string;
  at: string;
}

/** The alert change in an SSE `data` field, or null when it is not one. */
export function parseAlertChange(data: string): LiveAlertChange | null {
  let x: unknown;
  try {
    x = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof x !== 'object' || x === null) return null;
  const r = x as Record<string, unknown>;
  const fields = ['alertId', 'patientId', 'rule', 'priority', 'state', 'transition', 'at'] as const;
  if (!fields.every((f) => typeof r[f] === 'string')) return null;
  return Object.fromEntries(fields.map((f) => [f, r[f]])) as unknown as LiveAlertChange;
}

/**
 * `event: timeline` (an item was posted, edited or withdrawn) and `event: timeline-read` (a member
 * read it), for items the caller's clearance reaches; `change` is `read` for the latter.
 */
export interface LiveTimelineChange {
  itemId: string;
  patientId: string;
  change: 'posted' | 'edited' | 'withdrawn' | 'read';
  /** For a receipt: who read it. */
  userId?: string;
}

const TIMELINE_CHANGES = ['posted', 'edited', 'withdrawn'] as const;

/** The timeline change in an SSE `data` field (`read` for a receipt), or null when it is not one. */
export function parseTimelineChange(data: string, receipt: boolean): LiveTimelineChange | null {
  const r = jsonObject(data);
  if (!r) return null;
  if (typeof r.itemId !== 'string' || typeof r.patientId !== 'string') return null;
  if (receipt)
    return {
      itemId: r.itemId,
      patientId: r.patientId,
      change: 'read',
      ...(typeof r.userId === 'string' ? { userId: r.userId } : {}),
    };
  // An older server sends no `change`: a new item.
  const change = r.change === undefined ? 'posted' : r.change;
  if (!(TIMELINE_CHANGES as readonly unknown[]).includes(change)) return null;
  return { itemId: r.itemId, patientId: r.patientId, change: change as LiveTimelineChange['change'] };
}

export interface ReadingStream {
  state(): ConnectionState;
  onReading(listener: (reading: LiveReading) => void): () => void;
  onAlert(listener: (change: LiveAlertChange) => void): () => void;
  onTimeline(listener: (change: LiveTimelineChange) => void): () => void;
  onState(listener: (state: ConnectionState) => void): () => void;
  /** After a reconnection: reload what is on screen. */
  onResync(listener: () => void): () => void;
  close(): void;
}

/** The server pings every 15 s; this long without any event means the connection hangs. */
const SILENCE_MS = 45_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export function openReadingStream(
  url: string,
  /** Called when EventSource gave up; resolves false when the session is gone (the app shows login). */
  sessionAlive: () => Promise<boolean>,
): ReadingStream {
  const readingListeners = new Set<(r: LiveReading) => void>();
  const alertListeners = new Set<(a: LiveAlertChange) => void>();
  const timelineListeners = new Set<(c: LiveTimelineChange) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const resyncListeners = new Set<() => void>();
  let state: ConnectionState = 'connecting';
  let source: EventSource | null = null;
  let everOpen = false;
  let closed = false;
  let retryMs = RETRY_MIN_MS;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  };

  const feedWatchdog = (): void => {
    clearTimeout(watchdog);
    watchdog = setTimeout(() => reopen(), SILENCE_MS);
  };

  const reopen = (): void => {
    source?.close();
    source = null;
    clearTimeout(watchdog);
    if (closed) return;
    setState('reconnecting');
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      sessionAlive().then(
        (alive) => {
          if (alive && !closed) connect();
        },
        () => {
          if (!closed) reopen(); // server unreachable: keep trying
        },
      );
    }, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  const connect = (): void => {
    const es = new EventSource(url);
    source = es;
    feedWatchdog();
    es.addEventListener('open', () => {
      retryMs = RETRY_MIN_MS;
      feedWatchdog();
      const wasOpen = everOpen;
      everOpen = true;
      setState('live');
      if (wasOpen) for (const l of resyncListeners) l();
    });
    es.addEventListener('ping', feedWatchdog);
    es.addEventListener('reading', (event) => {
      feedWatchdog();
      const reading = parseLiveReading((event as MessageEvent<string>).data);
      if (reading) for (const l of readingListeners) l(reading);
    });
    es.addEventListener('alert', (event) => {
      feedWatchdog();
      const change = parseAlertChange((event as MessageEvent<string>).data);
      if (change) for (const l of alertListeners) l(change);
    });
    for (const [name, receipt] of [
      ['timeline', false],
      ['timeline-read', true],
    ] as const)
      es.addEventListener(name, (event) => {
        feedWatchdog();
        const change = parseTimelineChange((event as MessageEvent<string>).data, receipt);
        if (change) for (const l of timelineListeners) l(change);
      });
    es.addEventListener('error', () => {
      if (es !== source) return;
      if (es.readyState === EventSource.CLOSED) reopen();
      else setState(everOpen ? 'reconnecting' : 'connecting');
    });
  };

  const subscribe =
    <T>(set: Set<T>) =>
    (listener: T): (() => void) => {
      set.add(listener);
      return () => set.delete(listener);
    };

  connect();
  return {
    state: () => state,
    onReading: subscribe(readingListeners),
    onAlert: subscribe(alertListeners),
    onTimeline: subscribe(timelineListeners),
    onState: subscribe(stateListeners),
    onResync: subscribe(resyncListeners),
    close() {
      closed = true;
      clearTimeout(watchdog);
      clearTimeout(retryTimer);
      source?.close();
      source = null;
    },
  };
}
