/**
 * External-broker mode (Mosquitto, EMQX, HiveMQ): the server is an MQTT client. Several
 * server instances share the ingest through a shared subscription (`$share/GROUP/…`), each
 * with a stable client id and a persistent session, so a restarted instance gets back what
 * was queued for it. The PUBACK to the broker is held until the message is committed (or
 * refused): the broker's in-flight window then paces a backlog drain. The end-to-end `ack`
 * to the gateway still comes only after the commit, as in embedded mode.
 *
 * Per-gateway credentials and the topic ACL are the broker's job in this mode (see
 * docs/server.md); the server only accepts batches from gateways registered in its database.
 *
 * For brokers with less (issue 18, docs/operations.md "Brokers"): `protocolVersion: 4` speaks
 * MQTT 3.1.1 (NATS 2.9 has no MQTT 5; the session then lasts until the instance comes back with
 * a clean start), and `shared: false` subscribes without `$share` (NATS has no shared
 * subscriptions: every subscriber would get every batch), for one instance only.
 */
import { allGateways } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Ingest } from '../ingest/ingest.ts';
import { findGateway } from '../storage/repos/gateways.ts';
import type { Sql } from '../storage/sql.ts';
import type { Broker } from './embedded.ts';

export interface ExternalBrokerOptions {
  url: string;
  username?: string;
  password?: string;
  /** Stable per instance: the broker keeps this instance's session under it. */
  instanceId: string;
  shareGroup: string;
  /** Subscribe through `$share/shareGroup/…` (default); false: plain topic filters, one instance only. */
  shared?: boolean;
  /** MQTT 5 (default) or 3.1.1. */
  protocolVersion?: 4 | 5;
  /** MQTT 5: how long the broker keeps this instance's session after it disconnects (default 60 s). */
  sessionExpirySeconds?: number;
  sql: Sql;
  log: Logger;
  ingest: () => Ingest;
  ca?: Buffer;
}

const KNOWN_TTL_MS = 60_000;

export async function connectExternalBroker(o: ExternalBrokerOptions): Promise<Broker> {
  const log = o.log.child({ component: 'broker', mode: 'external' });
  const known = new Map<string, { ok: boolean; at: number }>();
  let ignored = 0;

  async function registered(gatewayId: string): Promise<boolean> {
    const k = known.get(gatewayId);
    if (k && Date.now() - k.at < KNOWN_TTL_MS) return k.ok;
    const g = await findGateway(o.sql, gatewayId);
    const ok = !!g && !g.revoked_at;
    known.set(gatewayId, { ok, at: Date.now() });
    return ok;
  }

  const protocolVersion = o.protocolVersion ?? 5;
  /** One message from the broker; `done` sends the PUBACK (after the commit, or at once when refused). */
  const handle = (topic: string, message: Buffer, done: (code: number) => void) => {
    const gatewayId = topic.split('/')[3] ?? '';
    registered(gatewayId)
      .then((ok) => {
        if (!ok) {
          // Not one of ours (a shared broker carries other tenants): neither stored nor acknowledged to it.
          if (ignored++ % 1000 === 0) log.debug({ gatewayId }, 'message from an unregistered gateway ignored');
          return done(0);
        }
        o.ingest().submit(topic, message, () => done(0));
      })
      .catch((e) => {
        log.warn({ err: e }, 'cannot check the gateway (database?); the broker will redeliver');
        // Unspecified error: with MQTT 5 the broker may redeliver; the gateway re-sends anyway.
        done(0x80);
      });
  };
  const client: MqttClient = mqtt.connect(o.url, {
    clientId: `vitals-server-${o.instanceId}`,
    protocolVersion,
    clean: false,
    // Long enough to ride out a restart; short, because Mosquitto (2.0) goes on dealing a
    // disconnected member of a shared subscription its share of the messages until its session
    // expires (what it held is re-sent by the gateways, which keep every batch until its
    // end-to-end ack, but only after their ack timeout).
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds ?? 60 } } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    // MQTT 5: the PUBACK (with its reason code) waits for `done`.
    customHandleAcks: (topic, message, _packet, done) => handle(topic, message, done),
  });
  if (protocolVersion === 4) {
    // mqtt.js uses customHandleAcks with MQTT 5 only; with 3.1.1 the PUBACK waits for the
    // handleMessage callback instead (no reason code: the gateway's re-send covers a refusal).
    client.handleMessage = (packet, callback) => {
      if (packet.cmd !== 'publish') return callback();
      handle(packet.topic, packet.payload as Buffer, () => callback());
    };
  }
  client.on('error', (e) => log.warn({ err: e.message }, 'MQTT error'));
  client.on('offline', () => log.warn('external broker unreachable; reconnecting'));

  await new Promise<void>((resolve, reject) => {
    let last: string | undefined;
    const fail = (message: string) => {
      clearTimeout(timer);
      client.off('error', onError);
      client.end(true);
      reject(new Error(message));
    };
    const onError = (e: Error & { code?: number | string }) => {
      last = e.message;
      // CONNACK 1 (MQTT 3.1.1) or 0x84 (MQTT 5): the broker does not speak this version (NATS 2.9 has no MQTT 5).
      if (e.code === 1 || e.code === 0x84)
        fail(
          `the MQTT broker at ${o.url} refuses MQTT ${protocolVersion === 5 ? '5' : '3.1.1'} (${e.message}); set VITALS_MQTT_PROTOCOL_VERSION=${protocolVersion === 5 ? '4' : '5'}`,
        );
    };
    const timer = setTimeout(
      () => fail(`cannot reach the MQTT broker at ${o.url} within 10 s${last ? ` (${last})` : ''}`),
      10_000,
    );
    client.on('error', onError);
    client.once('connect', () => {
      clearTimeout(timer);
      client.off('error', onError);
      resolve();
    });
  });
  const shared = o.shared ?? true;
  const topics = (['readings', 'status', 'events'] as const).map((s) =>
    shared ? `$share/${o.shareGroup}/${allGateways(s)}` : allGateways(s),
  );
  const granted = await client.subscribeAsync(topics, { qos: 1 });
  if (granted.some((g) => g.qos >= 128))
    throw new Error(
      `the broker refused the ${shared ? 'shared ' : ''}subscriptions ${topics.join(', ')}${shared ? ' (a broker without shared subscriptions: set VITALS_MQTT_SHARED_SUBSCRIPTION=false and run one instance)' : ''}`,
    );
  if (!shared)
    log.warn(
      'subscribed without a shared subscription (VITALS_MQTT_SHARED_SUBSCRIPTION=false): run only this one instance on this broker, or every instance ingests every batch',
    );
  client.on('connect', () => log.info('reconnected to the external broker'));
  log.info(
    { url: o.url, clientId: `vitals-server-${o.instanceId}`, group: shared ? o.shareGroup : null, protocolVersion },
    'ingesting from the external broker',
  );

  return {
    async publish(topic, payload, opts) {
      await client.publishAsync(topic, payload, { qos: 1, retain: opts?.retain ?? false });
    },
    async listen() {
      return 0; // no listener of our own in this mode
    },
    get listening() {
      return client.connected;
    },
    get connectedClients() {
      return 0;
    },
    async close() {
      await client.endAsync();
    },
  };
}
