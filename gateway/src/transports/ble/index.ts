export { type BackoffPolicy, backoffDelay } from './backoff.ts';
export * from './control.ts';
export type * from './noble-like.ts';
export * from './transport.ts';
