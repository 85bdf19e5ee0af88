import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  effectiveConfig,
  type GatewayConfigError,
  type GatewayFileConfig,
  parseGatewayConfig,
  type SecretAccess,
  serverConfigProblem,
  watchGatewayConfig,
} from './config.ts';

const secrets = (mode: number, uid = 1000): SecretAccess => ({
  read: () => 'pw',
  stat: () => ({ mode: 0o100000 | mode, uid }),
  uid: 1000,
});
const base = { gatewayId: 'gw-home-0001', server: { url: 'mqtts://h:8883', passwordFile: '/etc/p' } };

describe('parseGatewayConfig', () => {
  it('refuses a password file every user can read, naming the file and the fix', () => {
    expect(() => parseGatewayConfig(base, secrets(0o644))).toThrow(
      /server.passwordFile: \/etc\/p can be read by every user.*chmod 600 \/etc\/p/,
    );
  });

  it('accepts a group-readable password file with a loud warning, and a 600 file silently', () => {
    expect(parseGatewayConfig(base, secrets(0o640)).warnings).toEqual([expect.stringMatching(/read by its group/)]);
    const c = parseGatewayConfig(base, secrets(0o600));
    expect(c.warnings).toEqual([]);
    expect(c.server.password).toBe('pw');
  });

  it('warns when the secret belongs to another user', () => {
    expect(parseGatewayConfig(base, secrets(0o600, 4242)).warnings?.[0]).toMatch(/belongs to uid 4242/);
  });

  it('lists every problem at once with the key', () => {
    try {
      parseGatewayConfig(
        {
          gatewayId: 'X',
          server: { url: 'http://x', password: 'p', protocolVersion: 3, certFile: '/c' },
          outbox: { maxBytes: 10 },
          logLevel: 'loud',
        },
        secrets(0o600),
      );
      expect.unreachable();
    } catch (e) {
      const problems = (e as GatewayConfigError).problems.join('\n');
      for (const key of [
        'gatewayId',
        'server.url',
        'server.protocolVersion',
        'server.certFile and server.keyFile',
        'outbox.maxBytes',
        'logLevel',
      ])
        expect(problems).toContain(key);
      expect((e as Error).message).toContain('example:');
    }
  });
});

describe('effectiveConfig', () => {
  const local = parseGatewayConfig(
    { ...base, timezone: 'Europe/Berlin', ble: { allow: ['ble:00:00:00:00:00:01', 'ble:00:00:00:00:00:02'] } },
    secrets(0o600),
  ) as GatewayFileConfig;

  it('takes the server timezone and adds the devices the server allows', () => {
    const e = effectiveConfig(local, {
      v: 1,
      timezone: 'Asia/Tokyo',
      devices: [{ id: 'ble:00:00:00:00:00:03', allow: true }],
    });
    expect(e.timezone).toBe('Asia/Tokyo');
    expect(e.allowed('ble:00:00:00:00:00:01')).toBe(true);
    expect(e.allowed('ble:00:00:00:00:00:03')).toBe(true);
    expect(e.allowed('ble:00:00:00:00:00:09')).toBe(false);
  });

  it('lets the server take a locally listed device away', () => {
    const e = effectiveConfig(local, {
      v: 1,
      timezone: 'Asia/Tokyo',
      devices: [{ id: 'ble:00:00:00:00:00:02', allow: false }],
    });
    expect(e.allowed('ble:00:00:00:00:00:02')).toBe(false);
  });

  it('keeps the local timezone without a server config', () => {
    expect(effectiveConfig(local, undefined).timezone).toBe('Europe/Berlin');
  });

  it('names what is wrong with a server config', () => {
    expect(serverConfigProblem({ v: 2 })).toMatch(/v1/);
    expect(serverConfigProblem({ v: 1, devices: [{ id: 'x' }] })).toMatch(/devices/);
    expect(serverConfigProblem({ v: 1, devices: [], timezone: 'Mars/Base' })).toMatch(/IANA/);
    expect(serverConfigProblem({ v: 1, devices: [], timezone: 'Asia/Tokyo' })).toBeNull();
  });
});

describe('watchGatewayConfig', () => {
  it('applies a valid edit, and keeps the running config when an edit is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gwcfg-'));
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'secret\n');
    chmodSync(pw, 0o600);
    const file = join(dir, 'gateway.json');
    const cfg = {
      gatewayId: 'gw-home-0001',
      server: { url: 'mqtt://h:1883', passwordFile: pw },
      timezone: 'Asia/Tokyo',
    };
    writeFileSync(file, JSON.stringify(cfg));
    const changes: GatewayFileConfig[] = [];
    const invalid: GatewayConfigError[] = [];
    const w = watchGatewayConfig(
      file,
      { onChange: (c) => changes.push(c), onInvalid: (e) => invalid.push(e) },
      { signal: false, debounceMs: 20 },
    );
    try {
      writeFileSync(file, JSON.stringify({ ...cfg, timezone: 'Europe/Paris' }));
      await expect.poll(() => changes.length, { timeout: 5000 }).toBe(1);
      expect(changes[0]!.timezone).toBe('Europe/Paris');
      expect(changes[0]!.server.password).toBe('secret');
      writeFileSync(file, JSON.stringify({ ...cfg, timezone: 'Nowhere/Land', gatewayId: 'BAD' }));
      await expect.poll(() => invalid.length, { timeout: 5000 }).toBe(1);
      expect(invalid[0]!.problems).toHaveLength(2);
      expect(changes).toHaveLength(1);
    } finally {
      w.stop();
    }
  });
});
