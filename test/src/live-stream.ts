/**
 * A browser's EventSource on `GET /api/v1/stream`, reduced to what the end-to-end tests need:
 * the events so far, and the end. Shared by the multi-instance tests (issue 12, issue 18).
 */
import { expect } from 'vitest';
import { eventually } from './processes.ts';

export interface LiveStream {
  events: { event: string; data: string }[];
  /** Resolves when the server ended the stream or its connection broke. */
  ended: Promise<void>;
  close(): void;
}

/** One `reading` event as the stream sends it (server/src/api/stream/index.ts, LiveReading). */
export interface StreamedReading {
  patientId: string;
  metric: string;
  t: string;
  v: number;
  unit: string;
}

export async function openLiveStream(base: string, token: string): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const events: LiveStream['events'] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          events.push({
            event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
            data: /^data: (.*)$/m.exec(block)?.[1] ?? '',
          });
        }
      }
    } catch {
      // closed by the test, or the server died
    }
  })();
  await eventually(async () => events.some((e) => e.event === 'hello'), 10_000, 'the stream to open');
  return { events, ended, close: () => abort.abort() };
}

/** The readings a stream has shown so far, in the order it showed them. */
export const streamedReadings = (s: LiveStream): StreamedReading[] =>
  s.events.filter((e) => e.event === 'reading').map((e) => JSON.parse(e.data) as StreamedReading);

/** The values of the readings a stream has shown, sorted. */
export const streamedValues = (s: LiveStream): number[] =>
  streamedReadings(s)
    .map((r) => r.v)
    .sort((a, b) => a - b);
