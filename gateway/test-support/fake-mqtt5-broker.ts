/**
 * Test helper: a minimal MQTT 5 broker for one client, whose PUBACK reason codes a test
 * chooses (Mosquitto and aedes give no way to make a PUBACK fail on demand). It answers
 * CONNECT, SUBSCRIBE and PINGREQ, records every PUBLISH and can publish to the client.
 */
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

interface Packet {
  cmd: string;
  topic?: string;
  payload?: Buffer;
  messageId?: number;
  qos?: number;
  subscriptions?: { topic: string; qos: number }[];
  [k: string]: unknown;
}
interface MqttPacketModule {
  parser(opts: { protocolVersion: number }): {
    on(ev: 'packet', f: (p: Packet) => void): void;
    on(ev: 'error', f: (e: Error) => void): void;
    parse(b: Buffer): void;
  };
  generate(p: Record<string, unknown>, opts: { protocolVersion: number }): Buffer;
}

// mqtt-packet is mqtt.js's own codec; reached through mqtt.js so no extra dependency is needed.
const requireFromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const mqttPacket = requireFromMqtt('mqtt-packet') as MqttPacketModule;

export interface FakeBroker {
  port: number;
  published: { topic: string; payload: string }[];
  connects: { clientId: string; username?: string; password?: string }[];
  /** Reason code for the n-th PUBLISH on a topic matching `match` (0 = success). */
  pubackCode: (topic: string, n: number) => number;
  sendToClient(topic: string, payload: string): void;
  close(): Promise<void>;
}

export async function startFakeMqtt5Broker(
  pubackCode: FakeBroker['pubackCode'],
  o: { tls?: TlsOptions } = {},
): Promise<FakeBroker> {
  const sockets = new Set<Socket>();
  const counts = new Map<string, number>();
  let nextId = 1;
  const fb: FakeBroker = {
    port: 0,
    published: [],
    connects: [],
    pubackCode,
    sendToClient(topic, payload) {
      for (const s of sockets)
        s.write(
          mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 1, messageId: nextId++ }, { protocolVersion: 5 }),
        );
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    const send = (p: Record<string, unknown>) => socket.write(mqttPacket.generate(p, { protocolVersion: 5 }));
    parser.on('error', () => socket.destroy());
    parser.on('packet', (p) => {
      if (p.cmd === 'connect') {
        fb.connects.push({
          clientId: p.clientId as string,
          ...(p.username ? { username: p.username as string } : {}),
          ...(p.password ? { password: (p.password as Buffer).toString() } : {}),
        });
        send({ cmd: 'connack', reasonCode: 0, sessionPresent: false });
      } else if (p.cmd === 'subscribe')
        send({ cmd: 'suback', messageId: p.messageId, granted: (p.subscriptions ?? []).map((s) => s.qos) });
      else if (p.cmd === 'pingreq') send({ cmd: 'pingresp' });
      else if (p.cmd === 'publish') {
        const topic = p.topic!;
        const n = (counts.get(topic) ?? 0) + 1;
        counts.set(topic, n);
        fb.published.push({ topic, payload: p.payload!.toString('utf8') });
        if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId, reasonCode: fb.pubackCode(topic, n) });
      } else if (p.cmd === 'disconnect') socket.end();
    });
    socket.on('data', (b) => parser.parse(b));
  };
  const server: Server = o.tls ? createTlsServer(o.tls, onSocket) : createServer(onSocket);
  if (o.tls) server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fb.port = (server.address() as { port: number }).port;
  return fb;
}
