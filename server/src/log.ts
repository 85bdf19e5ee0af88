/** Structured logs (pino) with secrets redacted. */
import pino, { type Logger } from 'pino';

export function createLogger(level = 'info', name = 'vitals-server'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'req.headers.authorization',
        'req.headers.cookie',
        'mqtt.password',
      ],
      censor: '[redacted]',
    },
  });
}
