/**
 * The gateway's local health: a status file rewritten atomically every few seconds, and an
 * optional HTTP endpoint on 127.0.0.1 (GET /health: 200 when the gateway is connected or
 * has nothing waiting, 503 otherwise; the body is the status either way).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { GatewaySettingsReport } from '@vitals/contract';

export interface GatewayHealth {
  gatewayId: string;
  version: string;
  connected: boolean;
  lastConnectedAt: string | null;
  /** Readings in the outbox (queued, held for the clock, and awaiting the server's ack). */
  backlog: number;
  heldForClock: number;
  oldestBacklogAgeSeconds: number;
  inFlightBatches: number;
  lastAckAt: string | null;
  gatewayClockSynchronised: boolean;
  lastReadingByDevice: Record<string, string>;
  timezone: string;
  /** The remote settings in force, their revision, and what was ignored or is pinned (issue 18). */
  settings: GatewaySettingsReport;
  stats: Record<string, number>;
}

/** Healthy: connected, or disconnected with an empty outbox for under 10 minutes. */
export function isHealthy(h: GatewayHealth, now = Date.now()): boolean {
  if (h.connected) return true;
  const since = h.lastConnectedAt ? now - Date.parse(h.lastConnectedAt) : Number.POSITIVE_INFINITY;
  return h.backlog === 0 && since < 10 * 60_000;
}

/** Writes `file` atomically (temp file + rename), so a reader never sees half a file. */
export function writeStatusFile(file: string, h: GatewayHealth): void {
  const body = JSON.stringify({ ...h, healthy: isHealthy(h), updatedAt: new Date().toISOString() }, null, 2);
  writeFileSync(`${file}.tmp`, `${body}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(port: number, health: () => GatewayHealth): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/health' && req.url !== '/')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'GET /health' } }));
      return;
    }
    const h = health();
    const ok = isHealthy(h);
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...h, healthy: ok }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Local only: the status names devices, and nobody outside the box needs it.
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
