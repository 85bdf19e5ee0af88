import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type ClusterTransport, createEventBus } from './bus.ts';
import type { EventName, Json } from './domain-events.ts';

const log = pino({ level: 'silent' });

/** Two buses joined by memory, as two instances are by PostgreSQL. */
function linkedTransports(): [ClusterTransport, ClusterTransport] {
  const ends: { origin: string; deliver: (n: EventName, w: Json) => void }[] = [];
  const make = (): ClusterTransport => ({
    async start(origin, deliver) {
      ends.push({ origin, deliver });
    },
    send(origin, name, wire) {
      const text = JSON.stringify(wire);
      for (const e of ends) if (e.origin !== origin) e.deliver(name, JSON.parse(text));
    },
    async close() {},
  });
  return [make(), make()];
}

describe('the in-process event bus', () => {
  it('hands a published event to local and cluster subscribers of its name only', async () => {
    const bus = await createEventBus({ log });
    const heard: string[] = [];
    bus.subscribe('session.ended', (e) => void heard.push(`local ${e.sessionId}`), { scope: 'local' });
    bus.subscribe('session.ended', (e) => void heard.push(`cluster ${e.sessionId}`), { scope: 'cluster' });
    bus.subscribe('care-team.changed', () => void heard.push('wrong name'), { scope: 'cluster' });
    bus.publish('session.ended', { sessionId: 's1' });
    expect(heard).toStrictEqual(['local s1', 'cluster s1']);
  });

  it('stops delivering to a subscription once it is ended', async () => {
    const bus = await createEventBus({ log });
    const heard: string[] = [];
    const end = bus.subscribe('session.ended', (e) => void heard.push(e.sessionId), { scope: 'local' });
    bus.publish('session.ended', { sessionId: 'a' });
    end();
    bus.publish('session.ended', { sessionId: 'b' });
    expect(heard).toStrictEqual(['a']);
  });

  it('keeps a failing subscriber from the publisher and from the other subscribers', async () => {
    const errors: string[] = [];
    const bus = await createEventBus({
      log: pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line).event) }),
    });
    const heard: string[] = [];
    bus.subscribe(
      'session.ended',
      () => {
        throw new Error('boom');
      },
      { scope: 'local' },
    );
    bus.subscribe('session.ended', async () => Promise.reject(new Error('async boom')), { scope: 'local' });
    bus.subscribe('session.ended', (e) => void heard.push(e.sessionId), { scope: 'local' });
    expect(() => bus.publish('session.ended', { sessionId: 'x' })).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(heard).toStrictEqual(['x']);
    expect(errors).toStrictEqual(['session.ended', 'session.ended']);
  });

  it('lets cluster subscribers of another instance hear an event, and its local subscribers never', async () => {
    const [ta, tb] = linkedTransports();
    const a = await createEventBus({ log, transport: ta });
    const b = await createEventBus({ log, transport: tb });
    const heard: string[] = [];
    a.subscribe('readings.stored', (e) => void heard.push(`a local ${e.rows.length}`), { scope: 'local' });
    a.subscribe('readings.stored', (e) => void heard.push(`a cluster ${e.rows.length}`), { scope: 'cluster' });
    b.subscribe('readings.stored', (e) => void heard.push(`b local ${e.rows.length}`), { scope: 'local' });
    b.subscribe('readings.stored', (e) => void heard.push(`b cluster ${e.rows[0]!.time.toISOString()}`), {
      scope: 'cluster',
    });
    a.publish('readings.stored', {
      rows: [
        {
          id: 'r1',
          patient_id: null,
          device_id: 'd',
          gateway_id: 'g',
          flags: null,
          metric: 'spo2',
          time: new Date('2026-12-01T00:00:00Z'),
          value: 97,
          unit: '%',
        },
      ],
    });
    expect(heard).toStrictEqual(['a local 1', 'a cluster 1', 'b cluster 2026-12-01T00:00:00.000Z']);
  });

  it('publishes nothing once closed', async () => {
    const bus = await createEventBus({ log });
    const heard: string[] = [];
    bus.subscribe('session.ended', (e) => void heard.push(e.sessionId), { scope: 'local' });
    await bus.close();
    bus.publish('session.ended', { sessionId: 'late' });
    expect(heard).toStrictEqual([]);
  });
});
