/** In-process fan-out of what just happened (stored readings) to live views (SSE). */
import { EventEmitter } from 'node:events';

export interface LiveReading {
  patientId: string;
  metric: string;
  t: string;
  v: number;
  unit: string;
}

export interface LiveEvents {
  reading: [LiveReading];
}

export class LiveBus extends EventEmitter<LiveEvents> {
  constructor() {
    super();
    this.setMaxListeners(10_000);
  }
}
