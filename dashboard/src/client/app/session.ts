/**
 * The signed-in session's shared state: the live stream and its connection state. Pages read the
 * stream with `useStream()` and subscribe in an effect; the shell shows the connection state and,
 * when the connection has been down longer than OFFLINE_AFTER_MS, a banner (and the board dims
 * every value).
 */
import { signal } from '@preact/signals';
import type { ConnectionState, ReadingStream } from '../stream.ts';

/** How long a dropped connection may last before the screen says its values may be out of date. */
export const OFFLINE_AFTER_MS = 60_000;

export const connection = signal<ConnectionState>('connecting');
/** Since when the stream is not live (ms), or null while it is. */
export const notLiveSince = signal<number | null>(Date.now());
/** True once the connection has been down longer than OFFLINE_AFTER_MS. */
export const offline = signal(false);

let current: ReadingStream | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function watch(state: ConnectionState): void {
  connection.value = state;
  clearTimeout(timer);
  if (state === 'live') {
    notLiveSince.value = null;
    offline.value = false;
    return;
  }
  const since = notLiveSince.value ?? Date.now();
  notLiveSince.value = since;
  const left = OFFLINE_AFTER_MS - (Date.now() - since);
  if (left <= 0) offline.value = true;
  else timer = setTimeout(() => (offline.value = true), left);
}

export function attachStream(stream: ReadingStream): () => void {
  current = stream;
  notLiveSince.value = Date.now();
  offline.value = false;
  watch(stream.state());
  const off = stream.onState(watch);
  return () => {
    off();
    clearTimeout(timer);
    if (current === stream) current = null;
  };
}

export function useStream(): ReadingStream {
  if (!current) throw new Error('useStream outside a signed-in session');
  return current;
}

/** The signed-in user (set by the app before any page renders). */
export const currentUser = signal<import('../api.ts').Me | null>(null);
