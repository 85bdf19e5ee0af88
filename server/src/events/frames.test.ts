import { describe, expect, it } from 'vitest';
import { asciiJson, frame, Reassembly } from './frames.ts';

describe('event frames', () => {
  it('keeps a short message in one frame', () => {
    expect(frame('a.1', '{"x":1}', 100)).toStrictEqual(['a.1 0/1 {"x":1}']);
  });

  it('cuts a long message into frames no longer than the limit, and puts them back together in any order', () => {
    const text = 'x'.repeat(10_000);
    const frames = frame('abc.7', text, 500);
    expect(frames.length).toBeGreaterThan(20);
    for (const f of frames) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(500);
    const r = new Reassembly();
    const shuffled = [...frames].reverse();
    const results = shuffled.map((f) => r.add(f));
    expect(results.slice(0, -1).every((x) => x === null)).toBe(true);
    expect(results.at(-1)).toStrictEqual({ messageId: 'abc.7', text });
    expect(r.pending).toBe(0);
  });

  it('makes JSON ASCII so a cut never splits a character, and JSON reads it back the same', () => {
    const value = { name: '山田 太郎 🫀', note: 'é\u0000"' };
    const ascii = asciiJson(JSON.stringify(value));
    expect(/^[\x20-\x7e]*$/.test(ascii)).toBe(true);
    const frames = frame('m.1', ascii, 40);
    for (const f of frames) expect(Buffer.byteLength(f)).toBeLessThanOrEqual(40);
    const r = new Reassembly();
    let whole = null;
    for (const f of frames) whole = r.add(f);
    expect(JSON.parse(whole!.text)).toStrictEqual(value);
  });

  it('keeps the frames of two interleaved messages apart', () => {
    const a = frame('a.1', 'A'.repeat(300), 100);
    const b = frame('b.1', 'B'.repeat(300), 100);
    const r = new Reassembly();
    const out = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) for (const f of [a[i], b[i]]) if (f) out.push(r.add(f));
    expect(out.filter((x) => x !== null)).toStrictEqual([
      { messageId: 'a.1', text: 'A'.repeat(300) },
      { messageId: 'b.1', text: 'B'.repeat(300) },
    ]);
  });

  it('drops an incomplete message after its age limit, and everything incomplete when cleared', () => {
    let now = 0;
    const r = new Reassembly(1000, () => now);
    const [first] = frame('old.1', 'z'.repeat(300), 100);
    r.add(first!);
    expect(r.pending).toBe(1);
    now = 2000;
    r.add(frame('new.1', 'y'.repeat(300), 100)[0]!);
    expect(r.pending).toBe(1);
    r.clear();
    expect(r.pending).toBe(0);
  });

  it('refuses frames that do not follow the format', () => {
    const r = new Reassembly();
    expect(() => r.add('no header')).toThrow(/must start with/);
    expect(() => r.add('a.1 3/2 x')).toThrow(/out of range/);
  });
});
