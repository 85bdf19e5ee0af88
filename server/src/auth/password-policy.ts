/**
 * The password policy (issue 13; OWASP ASVS 4.0 V2.1, MHLW guideline v6.0 system operation
 * 14.2): at least 12 and at most 128 characters, not the email or the name, not a commonly used
 * password. No composition rules and no forced expiry (ASVS 2.1.9, 2.1.10; NIST SP 800-63B 5.1.1.2).
 * Length counts Unicode code points, so a Japanese passphrase counts its characters.
 */

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/**
 * The most common passwords of the public breach lists that are long enough to pass the length
 * rule, and the obvious ones of this domain. Compared case-insensitively, ignoring spaces.
 */
const COMMON = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789abc',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'qwertyuiopas',
  'qwertyuiop123',
  'qwerty123456',
  'qwertyqwerty',
  'asdfghjkl123',
  'zxcvbnm12345',
  'password1234',
  'password12345',
  'password123456',
  'passwordpassword',
  'p@ssw0rd1234',
  'p@ssword1234',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'changeme1234',
  'administrator',
  'administrator1',
  'admin1234567',
  'adminadmin123',
  'abcdefghijkl',
  'abcd1234abcd',
  'abc123abc123',
  'aaaaaaaaaaaa',
  '111111111111',
  '000000000000',
  '123123123123',
  '987654321098',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'princess1234',
  'starwars1234',
  'trustno11234',
  'correcthorsebatterystaple',
  'thequickbrownfox',
  'vitals123456',
  'vitalsvitals',
  'vitalspassword',
  'hospital1234',
  'clinic123456',
  'nurse1234567',
  'doctor123456',
  'kango1234567',
  'byouin123456',
  'iryou1234567',
]);

export interface PasswordContext {
  email?: string;
  displayName?: string;
}

/** What is wrong with a password, in English and Japanese; null when it may be used. */
export function passwordProblem(password: string, who: PasswordContext = {}): { en: string; ja: string } | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN)
    return {
      en: `the password is too short: use at least ${PASSWORD_MIN} characters (a passphrase of several words is easy to remember)`,
      ja: `パスワードが短すぎます。${PASSWORD_MIN}文字以上にしてください(いくつかの単語をつなげると覚えやすくなります)`,
    };
  if (length > PASSWORD_MAX)
    return {
      en: `the password is too long: use at most ${PASSWORD_MAX} characters`,
      ja: `パスワードが長すぎます。${PASSWORD_MAX}文字以下にしてください`,
    };
  const plain = normalise(password);
  const email = who.email ? normalise(who.email) : '';
  const local = email.split('@')[0] ?? '';
  const name = who.displayName ? normalise(who.displayName) : '';
  if ((email && (plain === email || plain === local)) || (name && plain === name))
    return {
      en: 'the password must not be your email address or your name: choose something else',
      ja: 'メールアドレスや氏名をパスワードにはできません。別のものを選んでください',
    };
  if (COMMON.has(plain) || /^(.)\1+$/u.test(plain))
    return {
      en: 'this password is one of the most commonly used ones and is easy to guess: choose another',
      ja: 'よく使われていて推測されやすいパスワードです。別のものを選んでください',
    };
  return null;
}

function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}
