import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('sign-in settings', () => {
  it("refuses to start with a first administrator's password the policy refuses, saying why (issue 13: 10 characters were enough)", () => {
    const admin = { VITALS_ADMIN_EMAIL: 'admin@clinic.jp' };
    expect(problems({ ...admin, VITALS_ADMIN_PASSWORD: 'ten-chars!' })).toEqual([
      expect.stringMatching(/^VITALS_ADMIN_PASSWORD: the password is too short: use at least 12 characters/),
    ]);
    expect(problems({ ...admin, VITALS_ADMIN_PASSWORD: 'password1234' })).toEqual([
      expect.stringMatching(/^VITALS_ADMIN_PASSWORD: this password is one of the most commonly used/),
    ]);
    expect(problems({ ...admin, VITALS_ADMIN_PASSWORD: 'admin@clinic.jp' })).toEqual([
      expect.stringMatching(/must not be your email address/),
    ]);
    expect(problems({ ...admin, VITALS_ADMIN_PASSWORD: 'correct-horse-battery' })).toEqual([]);
  });

  it('has the defaults of the issue: 30 minutes idle, 12 hours at most, administrators with a second factor', () => {
    const c = loadConfig({});
    expect([c.sessionIdleMinutes, c.sessionTtlSeconds, c.adminMfa, c.invitationHours]).toEqual([30, 43200, true, 72]);
  });

  it('checks the TOTP secret, the TLS listener and the idle timeout', () => {
    expect(problems({ VITALS_ADMIN_TOTP_SECRET: 'not base32!' })).toEqual([
      expect.stringMatching(/^VITALS_ADMIN_TOTP_SECRET: must be a base32 secret/),
    ]);
    expect(problems({ VITALS_HTTP_TLS: 'true' })).toEqual(['VITALS_HTTP_TLS needs VITALS_TLS_CERT and VITALS_TLS_KEY']);
    expect(problems({ VITALS_SESSION_IDLE_MINUTES: '0' })).toEqual(['VITALS_SESSION_IDLE_MINUTES: must be at least 1']);
  });
});

describe('storage settings', () => {
  it('checks the daily backup settings together, naming the fix', () => {
    expect(problems({ VITALS_BACKUP_DIR: '/tmp' })).toEqual([
      'VITALS_BACKUP_DIR and VITALS_BACKUP_KEY_FILE go together: set both for daily backups, or neither',
    ]);
    expect(
      problems({
        VITALS_BACKUP_DIR: '/nowhere/backups',
        VITALS_BACKUP_KEY_FILE: '/nowhere/key',
        VITALS_BACKUP_AT: '3am',
      }),
    ).toEqual([
      expect.stringMatching(
        /^VITALS_BACKUP_KEY_FILE=\/nowhere\/key: no such file; make one with pnpm -s run server backup-key/,
      ),
      expect.stringMatching(/^VITALS_BACKUP_DIR=\/nowhere\/backups: no such directory/),
      'VITALS_BACKUP_AT: "3am" is not a time of day as HH:MM (e.g. 03:00)',
    ]);
    expect(problems({ VITALS_BACKUP_KEEP: '2', VITALS_BACKUP_TIMEZONE: 'Tokyo' })).toEqual([
      'VITALS_BACKUP_TIMEZONE=Tokyo: not an IANA time zone (e.g. Asia/Tokyo)',
      'VITALS_BACKUP_KEEP: keep at least 3 generations (MHLW guideline)',
    ]);
  });

  it('checks the raw retention per metric', () => {
    expect(problems({ VITALS_RETENTION_BY_METRIC: 'spo2=90,oxygen=30' })).toEqual([
      expect.stringMatching(/^VITALS_RETENTION_BY_METRIC: unknown metric "oxygen"/),
    ]);
    expect(loadConfig({ VITALS_RETENTION_BY_METRIC: 'spo2=90' }).retentionByMetric).toBe('spo2=90');
  });
});
