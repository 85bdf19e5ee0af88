/**
 * The second factor: TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1: what every authenticator
 * app reads from an otpauth:// URI) through otplib, and recovery codes.
 */
import { randomInt } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';

export const TOTP_PERIOD = 30;
/** One step either side, for a phone clock a little off and a code typed at the end of its step. */
const TOLERANCE_SECONDS = TOTP_PERIOD;

export function newTotpSecret(): string {
  return generateSecret();
}

export function otpauthUri(secret: string, account: string): string {
  return generateURI({ issuer: 'Vitals', label: account, secret });
}

/** The current code of a secret (tests, and automated callers given VITALS_ADMIN_TOTP_SECRET). */
export async function totpCode(secret: string, epochSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return generate({ secret, epoch: epochSeconds });
}

/**
 * The time step of a valid code, or null. A code of `afterStep` or earlier is refused: each code
 * is accepted once (the caller stores the step it returns).
 */
export async function acceptedTotpStep(
  secret: string,
  code: string,
  afterStep: number | null,
  epochSeconds = Math.floor(Date.now() / 1000),
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const r = await verify({
      secret,
      token: code,
      epoch: epochSeconds,
      epochTolerance: TOLERANCE_SECONDS,
      ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
    });
    return r.valid ? Math.floor(epochSeconds / TOTP_PERIOD) + r.delta : null;
  } catch {
    return null;
  }
}

/** True when the text is a usable base32 TOTP secret (VITALS_ADMIN_TOTP_SECRET). */
export function isTotpSecret(s: string): boolean {
  return /^[A-Z2-7]{16,}=*$/.test(s.replace(/\s+/g, '').toUpperCase());
}

// No 0/O, 1/I/L: the codes are read off paper.
const RECOVERY_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const RECOVERY_CODE_COUNT = 10;

/** Ten recovery codes, `XXXXX-XXXXX` (about 49 bits each), shown once; only their hashes are kept. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let s = '';
    for (let i = 0; i < 10; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** A recovery code as typed (lower case, without the dash, with spaces) in its stored form. */
export function normaliseRecoveryCode(code: string): string {
  const s = code.toUpperCase().replace(/[\s-]/g, '');
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}
