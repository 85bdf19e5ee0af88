/**
 * Channels: how one delivery leaves the server. Each send either resolves (delivered) or
 * throws a DeliveryError whose class decides retrying: transient (network, 5xx, 408, 429)
 * or permanent (other 4xx, a push subscription that is gone, a rejected address).
 */
import type { Agent } from 'node:https';
import nodemailer, { type Transporter } from 'nodemailer';
import webpush from 'web-push';
import type { DeliveryRow } from '../storage/repos/oncall.ts';
import { webhookSignature } from './ack-link.ts';
import type { AlertConfig } from './settings.ts';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface ChannelSet {
  send(d: DeliveryRow, secret: string | null): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

async function postWebhook(url: string, d: DeliveryRow, secret: string | null): Promise<void> {
  const body = JSON.stringify(d.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'vitals-alerts/1',
    'idempotency-key': d.idempotency_key,
    'x-vitals-event': d.event,
    'x-vitals-delivery': String(d.id),
  };
  if (secret) headers['x-vitals-signature'] = webhookSignature(secret, body, Math.floor(Date.now() / 1000));
  let r: Response;
  try {
    r = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (e) {
    throw new DeliveryError(`webhook ${new URL(url).host} unreachable: ${(e as Error).message}`, false);
  }
  await r.arrayBuffer().catch(() => undefined);
  if (r.ok) return;
  const permanent = r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429;
  throw new DeliveryError(`webhook ${new URL(url).host} answered ${r.status}`, permanent);
}

/** `pushAgent`: the HTTPS agent for push services (tests trust their own local one). */
export function createChannels(c: AlertConfig, opts: { pushAgent?: Agent } = {}): ChannelSet {
  let mailer: Transporter | undefined;
  return {
    async send(d, secret) {
      switch (d.channel) {
        case 'webhook':
        case 'site_webhook':
          return postWebhook(d.target, d, secret);
        case 'email': {
          if (!c.smtpUrl) throw new DeliveryError('email is not configured: set VITALS_SMTP_URL', true);
          mailer ??= nodemailer.createTransport(
            `${c.smtpUrl}${c.smtpUrl.includes('?') ? '&' : '?'}connectionTimeout=${TIMEOUT_MS}&greetingTimeout=${TIMEOUT_MS}&socketTimeout=${TIMEOUT_MS}`,
          );
          const text = d.payload.text as { subject: string; body: string };
          try {
            await mailer.sendMail({
              from: c.smtpFrom ?? 'vitals <vitals@localhost>',
              to: d.target,
              subject: text.subject,
              text: text.body,
              messageId: `<${d.idempotency_key.replace(/[^A-Za-z0-9.-]/g, '.')}@vitals>`,
              headers: { 'X-Vitals-Idempotency-Key': d.idempotency_key, 'X-Vitals-Event': d.event },
            });
          } catch (e) {
            const code = (e as { responseCode?: number }).responseCode;
            throw new DeliveryError(`SMTP: ${(e as Error).message}`, code !== undefined && code >= 500 && code < 600);
          }
          return;
        }
        case 'webpush': {
          if (!c.vapidPublicKey)
            throw new DeliveryError('Web Push is not configured: set the VITALS_VAPID_* keys', true);
          const sub = d.payload.subscription as webpush.PushSubscription;
          const { subscription: _s, ...message } = d.payload;
          try {
            await webpush.sendNotification(sub, JSON.stringify(message), {
              TTL: 3600,
              vapidDetails: {
                subject: c.vapidSubject ?? 'mailto:admin@localhost',
                publicKey: c.vapidPublicKey,
                privateKey: c.vapidPrivateKey ?? '',
              },
              urgency: (d.payload.alert as { priority?: string })?.priority === 'high' ? 'high' : 'normal',
              timeout: TIMEOUT_MS,
              headers: { 'idempotency-key': d.idempotency_key },
              ...(opts.pushAgent ? { agent: opts.pushAgent } : {}),
            });
          } catch (e) {
            const status = (e as { statusCode?: number }).statusCode;
            throw new DeliveryError(
              `Web Push: ${status ? `push service answered ${status}` : (e as Error).message}`,
              status === 404 || status === 410 || status === 400 || status === 403,
            );
          }
          return;
        }
        default:
          return d.channel satisfies never;
      }
    },
    close() {
      mailer?.close();
    },
  };
}
