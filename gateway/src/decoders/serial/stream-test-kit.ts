/** Helpers for streaming decoder tests: hex input, whole-stream and chunked runs. */
import type { StreamDecoder, StreamOutput } from '../result.ts';
import { mergeOutputs } from './stream-output.ts';

/** Bytes from hex with any spaces or line breaks in between. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${text}`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export const ascii = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));

export function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** Feeds the chunks in order, then ends the stream; returns everything merged. */
export function runChunks(decoder: StreamDecoder, chunks: Uint8Array[]): StreamOutput {
  return mergeOutputs([...chunks.map((c) => decoder.push(c)), decoder.end()]);
}

export const runWhole = (decoder: StreamDecoder, bytes: Uint8Array): StreamOutput => runChunks(decoder, [bytes]);

/** Every way of cutting `bytes` in two, plus 1-byte chunks. */
export function chunkings(bytes: Uint8Array): { label: string; chunks: Uint8Array[] }[] {
  const out: { label: string; chunks: Uint8Array[] }[] = [];
  for (let k = 0; k <= bytes.length; k++)
    out.push({ label: `split at ${k}`, chunks: [bytes.slice(0, k), bytes.slice(k)] });
  out.push({ label: '1-byte chunks', chunks: [...bytes].map((b) => new Uint8Array([b])) });
  return out;
}

/** A small deterministic PRNG (mulberry32) for random-bytes tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
