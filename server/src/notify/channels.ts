/**
 * Channels: how one delivery leaves the server. Each send either resolves (delivered) or
 * throws a DeliveryError whose class decides retrying: transient (network, 5xx, 408, 429)
 * or permanent (other 4xx, a push subscription that is gone, a rejected address).
 * A DeliveryError's message is stored and shown through the API, so for webhooks it stays
 * generic ("target refused by policy", "target unreachable"); what happened goes to `detail`,
 * which only the server log sees (issue 11, item 8: no map of internal reachability).
 */
import { type Agent, Agent as HttpsAgent } from 'node:https';
import nodemailer, { type Transporter } from 'nodemailer';
import webpush from 'web-push';
import type { AlertConfig } from '../alerts/config.ts';
import type { DeliveryRow } from '../storage/repos/deliveries.ts';
import { webhookSignature } from './ack-link.ts';
import { pinnedLookup, postPinned } from './pinned-post.ts';
import { type Resolver, resolveTarget, systemResolver, type TargetPolicy } from './webhook-target.ts';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** For the server log only. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export const TARGET_REFUSED = 'target refused by policy';
export const TARGET_UNREACHABLE = 'target unreachable';

export interface ChannelSet {
  send(d: DeliveryRow, secret: string | null): Promise<void>;
  close(): void;
}

const TIMEOUT_MS = 10_000;

async function postWebhook(
  target: string,
  d: DeliveryRow,
  secret: string | null,
  policy: TargetPolicy,
  resolve: Resolver,
): Promise<void> {
  const checked = await resolveTarget(target, policy, resolve);
  if (!checked.ok)
    throw checked.refused
      ? new DeliveryError(TARGET_REFUSED, true, checked.detail)
      : new DeliveryError(TARGET_UNREACHABLE, false, checked.detail);
  const body = JSON.stringify(d.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'vitals-alerts/1',
    'idempotency-key': d.idempotency_key,
    'x-vitals-event': d.event,
    'x-vitals-delivery': String(d.id),
  };
  if (secret) headers['x-vitals-signature'] = webhookSignature(secret, body, Math.floor(Date.now() / 1000));
  let status: number;
  try {
    status = await postPinned(checked.url, checked.pin, headers, body, TIMEOUT_MS);
  } catch (e) {
    throw new DeliveryError(TARGET_UNREACHABLE, false, `${checked.pin.address}: ${(e as Error).message}`);
  }
  if (status >= 200 && status < 300) return;
  const permanent = status >= 300 && status < 500 && status !== 408 && status !== 429;
  throw new DeliveryError(`target answered ${status}${status < 400 ? ' (redirects are not followed)' : ''}`, permanent);
}

/**
 * `pushAgent`: the HTTPS agent for push services (tests trust their own local one);
 * `resolve`: DNS for webhook hosts (tests name private addresses without a DNS server).
 */
export function createChannels(c: AlertConfig, opts: { pushAgent?: Agent; resolve?: Resolver } = {}): ChannelSet {
  let mailer: Transporter | undefined;
  const policy: TargetPolicy = { allowLoopback: c.allowLoopbackWebhooks === true };
  const resolve = opts.resolve ?? systemResolver;
  return {
    async send(d, secret) {
      switch (d.channel) {
        case 'webhook':
        case 'site_webhook':
        case 'org_webhook':
          return postWebhook(d.target, d, secret, policy, resolve);
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
            if (code === undefined) throw new DeliveryError(TARGET_UNREACHABLE, false, `SMTP: ${(e as Error).message}`);
            throw new DeliveryError(`mail server answered ${code}`, code >= 500 && code < 600, (e as Error).message);
          }
          return;
        }
        case 'webpush': {
          if (!c.vapidPublicKey)
            throw new DeliveryError('Web Push is not configured: set the VITALS_VAPID_* keys', true);
          const sub = d.payload.subscription as webpush.PushSubscription;
          const { subscription: _s, ...message } = d.payload;
          // The endpoint comes from the browser of a user: the same target policy as webhooks.
          const checked = await resolveTarget(sub.endpoint, policy, resolve);
          if (!checked.ok)
            throw checked.refused
              ? new DeliveryError(TARGET_REFUSED, true, checked.detail)
              : new DeliveryError(TARGET_UNREACHABLE, false, checked.detail);
          const agent = new HttpsAgent({ ...(opts.pushAgent?.options ?? {}), lookup: pinnedLookup(checked.pin) });
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
              agent,
            });
          } catch (e) {
            const status = (e as { statusCode?: number }).statusCode;
            if (!status) throw new DeliveryError(TARGET_UNREACHABLE, false, `Web Push: ${(e as Error).message}`);
            throw new DeliveryError(
              `Web Push: push service answered ${status}`,
              status === 404 || status === 410 || status === 400 || status === 403,
            );
          } finally {
            agent.destroy();
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
