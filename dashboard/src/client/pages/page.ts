/** What every page gets from the app, and what it gives back. */
import { ApiError } from '../api.ts';
import { h } from '../dom.ts';
import type { FrameScheduler } from '../frame-scheduler.ts';
import { type Locale, translate } from '../i18n.ts';
import type { ReadingStream } from '../stream.ts';

export interface PageContext {
  stream: ReadingStream;
  scheduler: FrameScheduler;
  locale: Locale;
}

export interface Page {
  element: HTMLElement;
  /** Stops timers, listeners and requests; the element is then thrown away. */
  dispose(): void;
}

/** A failed call as the user should read it. */
export function errorMessage(locale: Locale, err: unknown): string {
  if (err instanceof ApiError && err.status === 0) return translate(locale, 'error.network');
  if (err instanceof ApiError) return translate(locale, 'error.server', { code: err.code, message: err.message });
  return translate(locale, 'error.server', {
    code: 'client',
    message: err instanceof Error ? err.message : String(err),
  });
}

export function alertBox(text: string): HTMLElement {
  return h('p', { class: 'alert', role: 'alert' }, text);
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
