import { describe, expect, it } from 'vitest';
import type { ConversationStep } from './conversation.ts';
import { Ultra2Conversation } from './onetouch-ultra2-conversation.ts';
import { ascii } from './stream-test-kit.ts';

const HEADER = 'P 003,"GMF600DCY","MG/DL " 05A6\r\n';
const R1 = 'P "SAT","03/21/15","16:45:24   ","  081 ","N","03", 00 09B6\r\n';
const R2 = 'P "SAT","03/21/15","16:42:11   ","  105 ","B","02", 00 099F\r\n';
const R3 = 'P "SAT","03/21/15","16:39:46   ","  176 ","N","02", 00 09C1\r\n';
const EMPTY = 'P 000,"GMF600DCY","MG/DL " 05A3\r\n';
const CLOCK_8 = 'F "TUE","11/24/26","08:00:00   " 0602\r\n';
const SET_9 = 'T "TUE","11/24/26","09:00:00   " 0611\r\n';
const body = (line: string) => line.slice(0, -7);

const text = (bytes: Uint8Array[]) => bytes.map((b) => Buffer.from(b).toString('latin1'));
const at = (iso: string) => new Date(iso);
const NOW_8 = at('2026-11-24T08:00:30Z');
const NOW_9 = at('2026-11-24T09:00:00Z');

function talk(cursor: string | undefined, now: Date, answers: string[]): ConversationStep[] {
  const c = new Ultra2Conversation({ tz: 'UTC', cursor });
  return [c.start(now), ...answers.map((a) => c.receive(ascii(a), now))];
}

describe('onetouch-ultra2 conversation', () => {
  it('reads the clock, then dumps and publishes every record on a first download', () => {
    const [start, afterClock, afterDump] = talk(undefined, NOW_8, [CLOCK_8, HEADER + R1 + R2 + R3]);
    expect(text(start!.writes)).toStrictEqual(['\x11\rDMF\r']);
    expect(text(afterClock!.writes)).toStrictEqual(['\x11\rDMP\r']);
    expect(afterDump).toStrictEqual({
      writes: [],
      publish: [ascii(HEADER + R1 + R2 + R3)],
      events: [{ type: 'download_complete', detail: { records: 3, new: 3, corrupt: 0 } }],
      cursor: body(R1),
      done: true,
    });
  });

  it('publishes only the records newer than the cursor', () => {
    const steps = talk(body(R2), NOW_8, [CLOCK_8, HEADER + R1 + R2 + R3]);
    expect(steps[2]!.publish).toStrictEqual([ascii(HEADER + R1)]);
    expect(steps[2]!.cursor).toBe(body(R1));
  });

  it('publishes nothing and keeps the cursor when nothing is new', () => {
    const steps = talk(body(R1), NOW_8, [CLOCK_8, HEADER + R1 + R2 + R3]);
    expect(steps[2]).toStrictEqual({
      writes: [],
      publish: [],
      events: [{ type: 'download_complete', detail: { records: 3, new: 0, corrupt: 0 } }],
      done: true,
    });
  });

  it('sets a clock that is an hour behind to the gateway time before dumping', () => {
    const [, afterClock, afterSet] = talk(undefined, NOW_9, [CLOCK_8, SET_9]);
    expect(text(afterClock!.writes)).toStrictEqual(['\x11\rDMT11/24/26 09:00:00\r']);
    expect(afterSet!.events).toStrictEqual([
      {
        type: 'clock_adjusted',
        detail: { deviceTime: '2026-11-24T08:00:00', setTo: '2026-11-24T09:00:00', offsetSeconds: -3600 },
      },
    ]);
    expect(text(afterSet!.writes)).toStrictEqual(['\x11\rDMP\r']);
  });

  it('keeps the old cursor when a record of the dump is corrupt, but publishes what came', () => {
    const bad = R2.replace('099F', '0990');
    const steps = talk(undefined, NOW_8, [CLOCK_8, HEADER + R1 + bad + R3]);
    expect(steps[2]!.publish).toStrictEqual([ascii(HEADER + R1 + bad + R3)]);
    expect(steps[2]!.cursor).toBeUndefined();
    expect(steps[2]!.events).toStrictEqual([{ type: 'download_complete', detail: { records: 3, new: 3, corrupt: 1 } }]);
  });

  it('waits for a dump that arrives in pieces', () => {
    const dump = HEADER + R1 + R2 + R3;
    const c = new Ultra2Conversation({ tz: 'UTC', cursor: undefined });
    c.start(NOW_8);
    c.receive(ascii(CLOCK_8), NOW_8);
    const steps = [...dump].map((ch) => c.receive(ascii(ch), NOW_8));
    expect(steps.filter((s) => s.done)).toHaveLength(1);
    expect(steps.at(-1)!.done).toBe(true);
    expect(steps.at(-1)!.publish).toStrictEqual([ascii(dump)]);
  });

  it('finishes at once on an empty memory', () => {
    const steps = talk(undefined, NOW_8, [CLOCK_8, EMPTY]);
    expect(steps[2]).toMatchObject({ publish: [], done: true });
  });

  it('asks again when the meter does not answer and gives up after three attempts', () => {
    const c = new Ultra2Conversation({ tz: 'UTC', cursor: undefined });
    c.start(NOW_8);
    expect(text(c.timeout(NOW_8).writes)).toStrictEqual(['\x11\rDMF\r']);
    expect(text(c.timeout(NOW_8).writes)).toStrictEqual(['\x11\rDMF\r']);
    expect(c.timeout(NOW_8)).toStrictEqual({
      writes: [],
      publish: [],
      events: [{ type: 'no_response', detail: { command: 'DMF', attempts: 3 } }],
      done: true,
    });
  });
});
