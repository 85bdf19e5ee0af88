/**
 * In-process fan-out of what just happened to live views (SSE): stored readings, and sessions
 * that ended (logout), so their open streams close at once. Publishers do not know their
 * subscribers, so a cross-instance transport can carry the same events later.
 */
import { EventEmitter } from 'node:events';

export interface LiveReading {
  patientId: string;
  metric: string;
  t: string;
  v: number;
  unit: string;
}

/** A session that no longer exists; `sessionId` is the stored hash of its token, never the token. */
export interface SessionEnded {
  sessionId: string;
}

export interface LiveEvents {
  reading: [LiveReading];
  sessionEnded: [SessionEnded];
}

export class LiveBus extends EventEmitter<LiveEvents> {
  constructor() {
    super();
    this.setMaxListeners(10_000);
  }
}
