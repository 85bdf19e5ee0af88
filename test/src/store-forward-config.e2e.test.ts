/**
 * Configuration reload in a real gateway process: SIGHUP and file edits are applied without a
 * restart; an invalid edit keeps the running configuration and every problem is logged.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually } from './processes.ts';
import { type Home, readStatus, startSimGateway } from './store-forward-kit.ts';

function offlineHome(): Home {
  const dir = mkdtempSync(join(tmpdir(), 'gw-reload-'));
  const passwordFile = join(dir, 'pw');
  writeFileSync(passwordFile, 'secret\n');
  chmodSync(passwordFile, 0o600);
  const configPath = join(dir, 'gateway.json');
  const statusFile = join(dir, 'status.json');
  // Port 1: nothing listens; the gateway keeps trying, which does not matter here.
  const config = {
    gatewayId: 'gw-reload-0001',
    server: { url: 'mqtt://127.0.0.1:1', passwordFile },
    dataDir: join(dir, 'data'),
    timezone: 'Asia/Tokyo',
    ble: { enabled: false },
    statusFile,
    logLevel: 'info',
  };
  const home: Home = {
    gatewayId: config.gatewayId,
    dir,
    configPath,
    statusFile,
    config,
    writeConfig: (over = {}) => writeFileSync(configPath, JSON.stringify({ ...config, ...over })),
  };
  home.writeConfig();
  return home;
}

describe('store-and-forward: configuration reload', () => {
  it('applies a valid edit on SIGHUP, and keeps running on an invalid one, naming every problem', async () => {
    const home = offlineHome();
    const gw = startSimGateway(home, { start: Date.now(), t0: Date.now(), rate: 1, count: 0 });
    try {
      await gw.waitFor(/store-forward test gateway running/, 30_000);
      home.writeConfig({ timezone: 'Europe/Paris' });
      gw.child.kill('SIGHUP');
      await eventually(
        async () => readStatus(home) && (readStatus(home) as { timezone?: string }).timezone === 'Europe/Paris',
        15_000,
        'the new timezone',
      );
      expect(gw.output()).toMatch(/configuration reloaded/);

      home.writeConfig({ timezone: 'Mars/Olympus', gatewayId: 'NOT VALID', server: { url: 'http://x' } });
      gw.child.kill('SIGHUP');
      await gw.waitFor(/configuration file changed but is invalid/, 15_000);
      const out = gw.output();
      for (const key of ['gatewayId:', 'server.url:', 'timezone:']) expect(out).toContain(key);
      expect(gw.child.exitCode).toBeNull();
      const seen = (readStatus(home) as { updatedAt?: string }).updatedAt;
      await eventually(
        async () => (readStatus(home) as { updatedAt?: string } | undefined)?.updatedAt !== seen,
        15_000,
        'a status update',
      );
      expect((readStatus(home) as { timezone?: string }).timezone).toBe('Europe/Paris');
    } finally {
      expect(await gw.kill('SIGTERM')).toBe(0);
    }
  }, 60_000);
});
