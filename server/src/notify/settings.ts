/**
 * Settings of alerting and notification, part of the server configuration (config.ts
 * spreads them into SETTINGS). Checked once more when the notify service starts (notify/service.ts).
 */
import type { AlertConfig } from '../alerts/config.ts';
import { checkTargetUrl } from './webhook-target.ts';

export const ALERT_SETTINGS: {
  env: string;
  key: keyof AlertConfig;
  kind: 'string' | 'boolean';
  default?: string;
  description: string;
}[] = [
  {
    env: 'VITALS_ALERT_WEBHOOK_URL',
    key: 'alertWebhookUrl',
    kind: 'string',
    description: 'site-wide webhook: every alert event is POSTed here (HMAC-signed when a secret is set)',
  },
  {
    env: 'VITALS_ALERT_WEBHOOK_SECRET',
    key: 'alertWebhookSecret',
    kind: 'string',
    description: 'HMAC-SHA256 key for the site-wide webhook signature (X-Vitals-Signature)',
  },
  {
    env: 'VITALS_PUBLIC_URL',
    key: 'publicUrl',
    kind: 'string',
    default: 'http://localhost:8080',
    description: 'base URL of this server as clinicians reach it, for links in notifications',
  },
  {
    env: 'VITALS_SMTP_URL',
    key: 'smtpUrl',
    kind: 'string',
    description: 'SMTP server for email notifications, e.g. smtp://user:pass@mail.example:587; unset = no email',
  },
  {
    env: 'VITALS_SMTP_FROM',
    key: 'smtpFrom',
    kind: 'string',
    default: 'vitals <vitals@localhost>',
    description: 'sender address of notification emails',
  },
  {
    env: 'VITALS_VAPID_PUBLIC_KEY',
    key: 'vapidPublicKey',
    kind: 'string',
    description: 'Web Push VAPID public key (base64url); unset = no Web Push',
  },
  {
    env: 'VITALS_VAPID_PRIVATE_KEY',
    key: 'vapidPrivateKey',
    kind: 'string',
    description: 'Web Push VAPID private key (base64url)',
  },
  {
    env: 'VITALS_VAPID_SUBJECT',
    key: 'vapidSubject',
    kind: 'string',
    default: 'mailto:admin@localhost',
    description: 'Web Push VAPID subject: a mailto: or https: contact of the operator',
  },
  {
    env: 'VITALS_ALERT_TICK_MS',
    key: 'alertTickMs',
    kind: 'string',
    default: '1000',
    description: 'how often escalation timers, deliveries and missing-data checks run, in ms',
  },
  {
    env: 'VITALS_GATEWAY_SILENCE_SECONDS',
    key: 'gatewaySilenceSeconds',
    kind: 'string',
    default: '300',
    description:
      'a gateway that sent nothing for this long counts as offline from its last message (gateways repeat their status every 60 s), even if the broker never delivered its will',
  },
  {
    env: 'VITALS_ALLOW_LOOPBACK_WEBHOOKS',
    key: 'allowLoopbackWebhooks',
    kind: 'boolean',
    default: 'false',
    description:
      'development only: webhooks and push endpoints may be on this machine (loopback, http allowed there); private, link-local and other internal addresses stay refused',
  },
  {
    env: 'VITALS_PAGE_LIMIT',
    key: 'pageLimit',
    kind: 'string',
    default: '6',
    description:
      'pages one person may get per window (VITALS_PAGE_LIMIT_WINDOW_MINUTES); further medium and low pages are recorded as suppressed, high ones still go out, grouped',
  },
  {
    env: 'VITALS_PAGE_LIMIT_WINDOW_MINUTES',
    key: 'pageLimitWindowMinutes',
    kind: 'string',
    default: '60',
    description: 'the window of the per-person page limit, in minutes',
  },
  {
    env: 'VITALS_PAGE_GROUP_SECONDS',
    key: 'pageGroupSeconds',
    kind: 'string',
    default: '60',
    description:
      'how long a page that is not high priority waits for other alerts of the same patient to join it in one message (0: no wait); high-priority pages go at once',
  },
  {
    env: 'VITALS_ALERT_CLOCK_FILE',
    key: 'alertClockFile',
    kind: 'string',
    description: 'tests only: read the alert clock from this file (an ISO time); never set in production',
  },
];

/** Every problem with the alert settings, in one list. */
export function alertConfigProblems(c: AlertConfig): string[] {
  const p: string[] = [];
  const url = (v: string | undefined, env: string, schemes: string[]) => {
    if (v === undefined) return;
    try {
      const u = new URL(v);
      if (!schemes.includes(u.protocol)) p.push(`${env}=${v}: use a ${schemes.join(' or ')} URL`);
    } catch {
      p.push(`${env}=${v}: not a URL`);
    }
  };
  if (c.alertWebhookUrl !== undefined) {
    // Host names are checked again, resolved, at every delivery.
    const t = checkTargetUrl(c.alertWebhookUrl, { allowLoopback: c.allowLoopbackWebhooks === true });
    if (!t.ok) p.push(`VITALS_ALERT_WEBHOOK_URL=${c.alertWebhookUrl}: ${t.reason}`);
  }
  url(c.publicUrl, 'VITALS_PUBLIC_URL', ['http:', 'https:']);
  url(c.smtpUrl, 'VITALS_SMTP_URL', ['smtp:', 'smtps:']);
  if ((c.vapidPublicKey === undefined) !== (c.vapidPrivateKey === undefined))
    p.push('VITALS_VAPID_PUBLIC_KEY and VITALS_VAPID_PRIVATE_KEY go together: set both or neither');
  const tick = Number(c.alertTickMs ?? '1000');
  if (!Number.isInteger(tick) || tick < 10 || tick > 60_000)
    p.push(`VITALS_ALERT_TICK_MS=${c.alertTickMs}: use a whole number of ms from 10 to 60000`);
  const silence = Number(c.gatewaySilenceSeconds ?? '300');
  if (!Number.isInteger(silence) || silence < 1 || silence > 2_678_400)
    p.push(
      `VITALS_GATEWAY_SILENCE_SECONDS=${c.gatewaySilenceSeconds}: use a whole number of seconds from 1 to 2678400 (31 days)`,
    );
  const whole = (v: string | undefined, fallback: string, env: string, min: number, max: number, what: string) => {
    const n = Number(v ?? fallback);
    if (!Number.isInteger(n) || n < min || n > max)
      p.push(`${env}=${v}: use a whole number ${what} from ${min} to ${max}`);
  };
  whole(c.pageLimit, '6', 'VITALS_PAGE_LIMIT', 1, 1000, 'of pages');
  whole(c.pageLimitWindowMinutes, '60', 'VITALS_PAGE_LIMIT_WINDOW_MINUTES', 1, 1440, 'of minutes');
  whole(c.pageGroupSeconds, '60', 'VITALS_PAGE_GROUP_SECONDS', 0, 600, 'of seconds');
  return p;
}
