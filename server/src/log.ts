/**
 * Structured logs (pino) with secrets and people's names redacted: logs travel further than the
 * database (issue 13: no secrets or patient names in logs). Fields are redacted by name at the top
 * level and one level down, where components put the objects they log.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const SECRET_FIELDS = [
  'password',
  'currentPassword',
  'newPassword',
  'password_hash',
  'passwordHash',
  'token',
  'mfaToken',
  'token_hash',
  'secret',
  'totp_secret',
  'otpauthUri',
  'recoveryCodes',
  'displayName',
  'display_name',
];

export const REDACTED_PATHS = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'mqtt.password',
];

export function createLogger(level = 'info', name = 'vitals-server', destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
