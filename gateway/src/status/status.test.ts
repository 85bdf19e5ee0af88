import { defaultGatewaySettings } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { type GatewayHealth, isHealthy } from './status.ts';

const h = (over: Partial<GatewayHealth>): GatewayHealth => ({
  gatewayId: 'gw-a',
  version: '0',
  connected: false,
  lastConnectedAt: null,
  backlog: 0,
  heldForClock: 0,
  oldestBacklogAgeSeconds: 0,
  inFlightBatches: 0,
  lastAckAt: null,
  gatewayClockSynchronised: true,
  lastReadingByDevice: {},
  timezone: 'UTC',
  settings: { revision: null, applied: defaultGatewaySettings() },
  stats: {},
  ...over,
});

describe('isHealthy', () => {
  const now = Date.parse('2026-11-24T08:00:00Z');
  it('is healthy while connected, whatever the backlog', () => {
    expect(isHealthy(h({ connected: true, backlog: 5000 }), now)).toBe(true);
  });
  it('is unhealthy when disconnected with readings waiting', () => {
    expect(isHealthy(h({ backlog: 1, lastConnectedAt: '2026-11-24T07:59:00Z' }), now)).toBe(false);
  });
  it('tolerates a short disconnection with nothing waiting, not a long one', () => {
    expect(isHealthy(h({ lastConnectedAt: '2026-11-24T07:55:00Z' }), now)).toBe(true);
    expect(isHealthy(h({ lastConnectedAt: '2026-11-24T07:00:00Z' }), now)).toBe(false);
  });
});
