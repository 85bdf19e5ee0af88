import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, createServer, type Server } from 'node:https';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { SmtpSink, WebhookReceiver } from '../../test-support/alert-server.ts';
import type { DeliveryRow } from '../storage/repos/deliveries.ts';
import { createChannels, DeliveryError, TARGET_REFUSED, TARGET_UNREACHABLE } from './channels.ts';

function delivery(over: Partial<DeliveryRow>): DeliveryRow {
  return {
    id: 7,
    idempotency_key: 'page:a1:high:0.0:c1',
    alert_id: 'a1',
    patient_id: 'p1',
    event: 'alert.page',
    channel: 'webhook',
    user_id: 'u1',
    contact_id: 'c1',
    target: '',
    payload: {
      v: 1,
      type: 'alert.page',
      alert: { id: 'a1', priority: 'high' },
      text: { subject: '[HIGH] Tanaka: Low SpO2 87 %', body: 'Acknowledge: https://x.test/ack\n' },
    },
    status: 'sending',
    attempts: 1,
    max_attempts: 5,
    next_attempt_at: new Date(),
    lease_until: null,
    last_error: null,
    step: 0,
    round: 0,
    grouped_into: null,
    subscription_id: null,
    created_at: new Date(),
    delivered_at: null,
    ...over,
  };
}

/** RFC 8291 (Web Push message encryption, aes128gcm) as the browser does it on receipt. */
function decryptPush(body: Buffer, ua: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const secret = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ua.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', secret, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const d = createDecipheriv('aes-128-gcm', cek, nonce);
  d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8'); // padding delimiter 0x02
}

/** Checks the VAPID JWT (RFC 8292): ES256 over header.payload with the server's public key. */
function vapidClaims(h: IncomingHttpHeaders, publicKey: string): Record<string, unknown> | null {
  const m = /^vapid t=([^,]+), k=(.+)$/.exec(String(h.authorization ?? ''));
  if (!m || m[2] !== publicKey) return null;
  const [head, claims, sig] = m[1]!.split('.') as [string, string, string];
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const ok = verify(
    'sha256',
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(sig, 'base64url'),
  );
  return ok ? JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) : null;
}

describe('notification channels against real receivers', () => {
  let smtp: SmtpSink;
  let hook: WebhookReceiver;
  let push: Server;
  let pushUrl: string;
  const pushed: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  let pushStatus = 201;
  const vapid = webpush.generateVAPIDKeys();

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    hook = await new WebhookReceiver('0123456789abcdef-secret').start();
    // Push services speak HTTPS only: a local one with a throw-away certificate.
    const dir = mkdtempSync(join(tmpdir(), 'vitals-push-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    push = createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          pushed.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(pushStatus).end();
        });
      },
    );
    await new Promise<void>((r) => push.listen(0, '127.0.0.1', r));
    pushUrl = `https://127.0.0.1:${(push.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await smtp?.stop();
    await hook?.close();
    await new Promise((r) => push?.close(r));
  });

  it('signs webhooks with HMAC-SHA256 and sends the idempotency key', async () => {
    const ch = createChannels({ allowLoopbackWebhooks: true });
    await ch.send(delivery({ channel: 'webhook', target: hook.url }), '0123456789abcdef-secret');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.signatureValid).toBe(true);
    expect(hook.received[0]!.headers['idempotency-key']).toBe('page:a1:high:0.0:c1');
    hook.failWith = [404];
    await expect(ch.send(delivery({ channel: 'webhook', target: hook.url }), null)).rejects.toMatchObject({
      permanent: true,
    });
    hook.failWith = [503];
    await expect(ch.send(delivery({ channel: 'webhook', target: hook.url }), null)).rejects.toMatchObject({
      permanent: false,
    });
  });

  it('connects to the address resolved once, whatever the name says, and follows no redirect', async () => {
    const port = new URL(hook.url).port;
    const resolved: string[] = [];
    const ch = createChannels(
      { allowLoopbackWebhooks: true },
      {
        resolve: async (host) => {
          resolved.push(host);
          return [{ address: '127.0.0.1', family: 4 }];
        },
      },
    );
    const before = hook.received.length;
    await ch.send(delivery({ channel: 'webhook', target: `http://pager.example.test:${port}/hook` }), null);
    expect(resolved).toEqual(['pager.example.test']);
    expect(hook.received.slice(before).map((r) => r.headers.host)).toEqual([`pager.example.test:${port}`]);
    hook.failWith = [302];
    await expect(
      ch.send(delivery({ channel: 'webhook', target: `http://pager.example.test:${port}/hook` }), null),
    ).rejects.toMatchObject({ message: 'target answered 302 (redirects are not followed)', permanent: true });
  });

  it('refuses internal targets before connecting and says only that the target was refused', async () => {
    const before = hook.received.length;
    const privateDns = createChannels({}, { resolve: async () => [{ address: '10.0.0.7', family: 4 }] });
    await expect(
      privateDns.send(delivery({ channel: 'webhook', target: 'https://pager.example.test/hook' }), null),
    ).rejects.toMatchObject({ message: TARGET_REFUSED, permanent: true });
    const production = createChannels({});
    for (const target of [
      hook.url, // http://127.0.0.1:port
      hook.url.replace('127.0.0.1', 'localhost'), // a name resolving to loopback (/etc/hosts)
      hook.url.replace('127.0.0.1', '[::ffff:127.0.0.1]'),
      'https://169.254.169.254/latest/meta-data/',
      'https://10.1.2.3/hook',
    ])
      await expect(production.send(delivery({ channel: 'webhook', target }), null)).rejects.toMatchObject({
        message: TARGET_REFUSED,
        permanent: true,
      });
    expect(hook.received.length).toBe(before);
  });

  it('reports a closed port as unreachable without naming the address or the cause, for webhooks and mail', async () => {
    const probe = createTcpServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const ch = createChannels({ allowLoopbackWebhooks: true });
    const err = await ch
      .send(delivery({ channel: 'webhook', target: `http://127.0.0.1:${port}/hook` }), null)
      .catch((e: DeliveryError) => e);
    expect(err).toMatchObject({ message: TARGET_UNREACHABLE, permanent: false });
    expect((err as DeliveryError).detail).toContain('ECONNREFUSED');
    const mail = createChannels({ smtpUrl: `smtp://127.0.0.1:${port}` });
    const mailErr = await mail
      .send(delivery({ channel: 'email', target: 'nurse@station.test' }), null)
      .catch((e: DeliveryError) => e);
    mail.close();
    expect(mailErr).toMatchObject({ message: TARGET_UNREACHABLE, permanent: false });
  });

  it('sends email through a real SMTP server process', async () => {
    const ch = createChannels({ smtpUrl: smtp.url, smtpFrom: 'vitals <alerts@clinic.test>' });
    await ch.send(delivery({ channel: 'email', target: 'nurse@station.test' }), null);
    ch.close();
    await smtp.waitFor((m) => m.length === 1);
    expect(smtp.mails[0]).toMatchObject({
      from: 'alerts@clinic.test',
      to: ['nurse@station.test'],
      subject: '[HIGH] Tanaka: Low SpO2 87 %',
    });
    expect(smtp.mails[0]!.text).toContain('https://x.test/ack');
    expect(smtp.mails[0]!.headers['x-vitals-idempotency-key']).toBe('page:a1:high:0.0:c1');
  });

  it('sends an encrypted Web Push message with a valid VAPID signature', async () => {
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const auth = randomBytes(16);
    const subscription = {
      endpoint: `${pushUrl}/push/abc`,
      keys: { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    };
    const ch = createChannels(
      {
        vapidPublicKey: vapid.publicKey,
        vapidPrivateKey: vapid.privateKey,
        vapidSubject: 'mailto:ops@clinic.test',
        allowLoopbackWebhooks: true,
      },
      { pushAgent: new Agent({ rejectUnauthorized: false }) },
    );
    await ch.send(
      delivery({
        channel: 'webpush',
        target: subscription.endpoint,
        payload: { ...delivery({}).payload, subscription },
      }),
      null,
    );
    expect(pushed).toHaveLength(1);
    const { headers, body } = pushed[0]!;
    expect(headers['content-encoding']).toBe('aes128gcm');
    expect(headers.urgency).toBe('high');
    expect(vapidClaims(headers, vapid.publicKey)).toMatchObject({ aud: pushUrl, sub: 'mailto:ops@clinic.test' });
    const message = JSON.parse(decryptPush(body, ua, auth));
    expect(message).toMatchObject({ type: 'alert.page', alert: { id: 'a1' } });
    expect(message.subscription).toBeUndefined();
    pushStatus = 410; // the browser unsubscribed
    await expect(
      ch.send(delivery({ channel: 'webpush', target: subscription.endpoint, payload: { subscription } }), null),
    ).rejects.toBeInstanceOf(DeliveryError);
  });
});
