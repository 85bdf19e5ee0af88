/**
 * The embedded aedes broker, configured through its hooks: per-gateway credentials,
 * the contract's topic ACL, and ingest fed from `published`. A bad client is an event,
 * never a crash.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { verifySecret } from '../auth/secrets.ts';
import type { Ingest } from '../ingest/ingest.ts';
import { findGateway } from '../storage/repos/gateways.ts';
import type { Sql } from '../storage/sql.ts';
import { mayPublish, maySubscribe } from './gateway-acl.ts';
import { indexRetainedByTopic } from './retained-index.ts';

export interface EmbeddedBrokerOptions {
  sql: Sql;
  log: Logger;
  ingest: () => Ingest;
  /** Called when a gateway's session is ready, e.g. to publish its retained config. */
  onGatewayReady?: (gatewayId: string) => void;
  maxConnections?: number;
}

export interface Broker {
  publish(topic: string, payload: string, opts?: { retain?: boolean }): Promise<void>;
  listen(port: number, host?: string): Promise<number>;
  /** MQTT over TLS; with `ca`, gateways must also present a client certificate signed by it. */
  listenTls?(port: number, host: string | undefined, tls: { cert: Buffer; key: Buffer; ca?: Buffer }): Promise<number>;
  /** MQTT over WebSocket at path /mqtt; over TLS (wss://) when `tls` is given. */
  listenWs?(port: number, host: string | undefined, tls?: { cert: Buffer; key: Buffer }): Promise<number>;
  readonly listening: boolean;
  readonly connectedClients: number;
  /** Drops the live session of a gateway (its credentials were rotated or revoked). */
  disconnect?(gatewayId: string): void;
  close(): Promise<void>;
}

const gatewayOf = new WeakMap<Client, string>();

/** Payloads above this are refused at the broker (ingest dead-letters anything above 256 KiB). */
export const MAX_PUBLISH_BYTES = 1024 * 1024;

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}

export async function createEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<Broker> {
  const log = o.log.child({ component: 'broker' });
  const aedes = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      if (!username || !password) return done(authError('username and password required', 4), false);
      findGateway(o.sql, username)
        .then((g) => {
          if (!g || g.revoked_at || !verifySecret(password.toString('utf8'), g.secret_hash)) {
            log.warn({ username, clientId: client.id }, 'MQTT login refused');
            return done(authError('bad username or password', 4), false);
          }
          if (client.id !== g.id) {
            log.warn({ username, clientId: client.id }, 'MQTT client id must equal the gateway id');
            return done(authError('client id must equal the gateway id', 2), false);
          }
          gatewayOf.set(client, g.id);
          done(null, true);
        })
        .catch((e) => {
          log.error({ err: e }, 'MQTT login check failed (database?)');
          done(authError('server unavailable', 3), false);
        });
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null); // the server itself
      const gw = gatewayOf.get(client);
      const problem = !gw
        ? 'not authenticated'
        : packet.payload.length > MAX_PUBLISH_BYTES
          ? `payload of ${packet.payload.length} bytes exceeds ${MAX_PUBLISH_BYTES}`
          : mayPublish(gw, packet.topic, packet.retain);
      if (problem) {
        log.warn({ gatewayId: gw, topic: packet.topic }, problem);
        return done(new Error(problem));
      }
      done(null);
    },
    authorizeSubscribe(client, sub, done) {
      const gw = gatewayOf.get(client);
      const problem = gw ? maySubscribe(gw, sub.topic) : 'not authenticated';
      if (problem) {
        log.warn({ gatewayId: gw, topic: sub.topic }, problem);
        // A null subscription answers 0x80 (failure) in the SUBACK and keeps the client connected.
        return done(null, null);
      }
      done(null, sub);
    },
    published(packet, client, done) {
      // aedes has already sent the PUBACK here; only the ingest's own `ack` means stored.
      if (client && gatewayOf.has(client)) o.ingest().submit(packet.topic, packet.payload as Buffer);
      done();
    },
  });
  if (!indexRetainedByTopic((aedes as unknown as { persistence: unknown }).persistence))
    log.warn('retained messages not indexed (unexpected aedes persistence): reconnections slow down with the fleet');
  aedes.on('clientError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'client error'));
  aedes.on('connectionError', (client, err) =>
    log.debug({ clientId: client?.id, err: err.message }, 'connection error'),
  );
  aedes.on('clientReady', (client) => {
    const gw = gatewayOf.get(client);
    if (gw) {
      log.info({ gatewayId: gw }, 'gateway connected');
      o.onGatewayReady?.(gw);
    }
  });
  aedes.on('clientDisconnect', (client) => {
    const gw = gatewayOf.get(client);
    if (gw) log.info({ gatewayId: gw }, 'gateway disconnected');
  });

  const servers: Server[] = [];
  const closers: (() => Promise<void>)[] = [];
  const listenOn = (s: Server, port: number, host?: string) =>
    new Promise<number>((resolve, reject) => {
      s.maxConnections = o.maxConnections ?? 20_000;
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        s.on('error', (e) => log.error({ err: e }, 'MQTT listener error'));
        servers.push(s);
        const addr = s.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  return {
    publish(topic, payload, opts) {
      return new Promise((resolve, reject) =>
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: opts?.retain ?? false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    },
    listen(port, host) {
      return listenOn(createServer(aedes.handle), port, host);
    },
    listenTls(port, host, tls) {
      const server = createTlsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        aedes.handle,
      );
      server.on('tlsClientError', (e) => log.debug({ err: e.message }, 'TLS handshake failed'));
      return listenOn(server, port, host);
    },
    listenWs(port, host, tls) {
      const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }) : createHttpServer();
      server.on('request', (_req, res) => {
        res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: connect to /mqtt\n');
      });
      const wss = new WebSocketServer({ server, path: '/mqtt', maxPayload: MAX_PUBLISH_BYTES + 1024 });
      wss.on('connection', (socket) => {
        const stream = createWebSocketStream(socket);
        stream.on('error', (e) => log.debug({ err: e.message }, 'WebSocket stream error'));
        aedes.handle(stream as never);
      });
      wss.on('error', (e) => log.error({ err: e }, 'MQTT WebSocket listener error'));
      closers.push(() => new Promise<void>((r) => wss.close(() => r())));
      return listenOn(server as unknown as Server, port, host);
    },
    get listening() {
      return servers.length > 0 && servers.every((x) => x.listening);
    },
    get connectedClients() {
      return aedes.connectedClients;
    },
    disconnect(gatewayId) {
      const c = (aedes as unknown as { clients: Record<string, Client> }).clients[gatewayId];
      if (c) {
        log.info({ gatewayId }, 'dropping the session of a gateway whose credentials changed');
        c.close();
      }
    },
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const f of closers) await f();
      for (const x of servers) {
        (x as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => x.close(() => resolve()));
      }
    },
  };
}
