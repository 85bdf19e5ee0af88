import { describe, expect, it } from 'vitest';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from './password-policy.ts';

describe('the password policy', () => {
  it('accepts a passphrase of 12 characters or more', () => {
    expect(passwordProblem('correct-horse-battery')).toBeNull();
    expect(passwordProblem('a'.repeat(5) + 'bcdefg1234')).toBeNull();
  });

  it('refuses fewer than 12 characters, counting Japanese characters one each', () => {
    expect(passwordProblem('elevenchars')?.en).toMatch(/at least 12/);
    expect(passwordProblem('ゆきがふるよるにはしずか')).toBeNull(); // 12 characters, 36 bytes
    expect(passwordProblem('ゆきがふるよるにはしず')).not.toBeNull();
  });

  it(`refuses more than ${PASSWORD_MAX} characters`, () => {
    expect(passwordProblem('x1'.repeat(PASSWORD_MAX / 2) + 'y')?.en).toMatch(/at most 128/);
    expect(passwordProblem('xy'.repeat(PASSWORD_MAX / 2))).toBeNull();
  });

  it('refuses the email, its local part or the name, whatever the case and spaces', () => {
    const who = { email: 'Yamada.Hanako@station.jp', displayName: 'Yamada Hanako Nurse' };
    expect(passwordProblem('yamada.hanako@station.jp', who)?.en).toMatch(/email address or your name/);
    expect(passwordProblem('YAMADA.HANAKO', who)?.en).toMatch(/email address or your name/);
    expect(passwordProblem('yamadahanakonurse', who)?.en).toMatch(/email address or your name/);
    expect(passwordProblem('hanako likes tea at four', who)).toBeNull();
  });

  it('refuses common passwords and one repeated character, in both languages', () => {
    expect(passwordProblem('Password1234')?.en).toMatch(/commonly used/);
    expect(passwordProblem('QWERTY 123456')?.ja).toMatch(/推測/);
    expect(passwordProblem('zzzzzzzzzzzzzz')).not.toBeNull();
    expect(PASSWORD_MIN).toBe(12);
  });
});
