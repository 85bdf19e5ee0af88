import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('the server log', () => {
  it('redacts passwords, tokens, second-factor secrets and names, at the top and one level down', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger('info', 'test', sink);
    log.info(
      {
        password: 'pw-1',
        token: 'tok-1',
        body: { newPassword: 'pw-2', mfaToken: 'mfa-1', recoveryCodes: ['ABCDE-FGHJK'] },
        user: { totp_secret: 'JBSWY3DP', displayName: '山田 花子' },
        req: { headers: { authorization: 'Bearer tok-2', cookie: 'vitals_session=tok-3' } },
        patientId: 'kept',
      },
      'something happened',
    );
    const out = lines.join('');
    for (const secret of ['pw-1', 'pw-2', 'tok-1', 'tok-2', 'tok-3', 'mfa-1', 'ABCDE-FGHJK', 'JBSWY3DP', '山田'])
      expect(out).not.toContain(secret);
    expect(out).toContain('kept');
    expect(out).toContain('[redacted]');
  });
});
