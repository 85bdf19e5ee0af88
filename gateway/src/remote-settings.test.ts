import { defaultGatewaySettings } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { type GatewayConfigError, parseGatewayConfig, type SecretAccess } from './config.ts';
import { resolveSettings } from './remote-settings.ts';

const secrets: SecretAccess = { read: () => 'pw', stat: () => ({ mode: 0o100600, uid: 1000 }), uid: 1000 };
const file = (over: Record<string, unknown> = {}) =>
  parseGatewayConfig(
    { gatewayId: 'gw-home-0001', server: { url: 'mqtt://h:1883', passwordFile: '/etc/p' }, ...over },
    secrets,
  );

describe('remote gateway settings', () => {
  it('uses the built-in defaults when neither the server nor the file sets anything', () => {
    expect(resolveSettings(file(), undefined)).toStrictEqual({ revision: null, applied: defaultGatewaySettings() });
  });

  it("lets the server's values win over the local file's, and reports the server's revision", () => {
    const local = file({
      logLevel: 'warn',
      server: { url: 'mqtt://h:1883', passwordFile: '/etc/p', maxReadingsPerSecond: 500 },
    });
    const r = resolveSettings(local, {
      revision: 7,
      logLevel: 'debug',
      maxReadingsPerSecond: 2000,
      uploadBatchReadings: 50,
    });
    expect(r.revision).toBe(7);
    expect(r.applied).toMatchObject({ logLevel: 'debug', maxReadingsPerSecond: 2000, uploadBatchReadings: 50 });
    expect(r.ignored).toBeUndefined();
  });

  it('keeps the local value of a setting the file pins, whatever the server sends, and says so', () => {
    const local = file({ logLevel: 'warn', pinnedSettings: ['logLevel'], settings: { statusIntervalSeconds: 120 } });
    const r = resolveSettings(local, { revision: 3, logLevel: 'trace', statusIntervalSeconds: 30 });
    expect(r.applied.logLevel).toBe('warn');
    expect(r.applied.statusIntervalSeconds).toBe(30);
    expect(r.pinned).toEqual(['logLevel']);
  });

  it('takes a setting the server leaves out from the file, else from the defaults', () => {
    const r = resolveSettings(file({ settings: { bleReconnectMaxSeconds: 300 } }), { revision: 1 });
    expect(r.applied.bleReconnectMaxSeconds).toBe(300);
    expect(r.applied.serverReconnectMaxSeconds).toBe(60);
  });

  it.each([
    ['maxReadingsPerSecond', 0],
    ['maxReadingsPerSecond', 1e9],
    ['uploadBatchReadings', 2.5],
    ['statusIntervalSeconds', '60'],
    ['logLevel', 'loud'],
  ])('ignores an invalid %s (%s), keeps the value in force before, and says why', (name, value) => {
    const before = {
      ...defaultGatewaySettings(),
      maxReadingsPerSecond: 777,
      uploadBatchReadings: 99,
      statusIntervalSeconds: 45,
      logLevel: 'warn' as const,
    };
    const r = resolveSettings(file(), { revision: 9, [name]: value, serverReconnectMaxSeconds: 120 }, before);
    expect(r.applied[name as keyof typeof before]).toBe(before[name as keyof typeof before]);
    expect(r.applied.serverReconnectMaxSeconds).toBe(120);
    expect(r.ignored?.[name]).toMatch(new RegExp(`^${name} must be`));
    expect(r.revision).toBe(9);
  });

  it('ignores a setting it does not know (a newer server) and a settings value that is not an object', () => {
    expect(resolveSettings(file(), { revision: 2, scanWindowMs: 10 }).ignored).toEqual({
      scanWindowMs: expect.stringMatching(/not a setting this gateway knows/),
    });
    const r = resolveSettings(file(), 'debug');
    expect(r.revision).toBeNull();
    expect(r.ignored?.settings).toMatch(/must be an object/);
  });

  it('refuses a local file with an out-of-range setting or an unknown pin, naming each', () => {
    try {
      file({ settings: { uploadBatchReadings: 5000 }, pinnedSettings: ['colour'] });
      expect.unreachable();
    } catch (e) {
      const problems = (e as GatewayConfigError).problems.join('\n');
      expect(problems).toContain('settings.uploadBatchReadings must be a whole number from 1 to 1000');
      expect(problems).toContain('pinnedSettings: must be a list of setting names');
    }
  });
});
