/**
 * Command/response serial devices (a glucose meter with stored records) need the gateway to
 * talk first. A conversation is a pure state machine: the transport feeds it the bytes it
 * reads and the current time, and carries out what each step asks for (write these bytes,
 * publish these bytes as a SerialChunk, report these events, save this cursor). It never
 * touches a port, a clock or a store itself, so it is tested without I/O.
 */
import type { StreamEvent } from '../result.ts';

export interface ConversationContext {
  /** IANA zone of the device's wall clock (the gateway's configured zone). */
  tz: string;
  /** Download position saved after the last complete download of this device, if any. */
  cursor: string | undefined;
  /** How far the device clock may be off before the conversation sets it; default 120 s. */
  clockToleranceMs?: number;
}

export interface ConversationStep {
  /** Bytes to write to the port, in order. */
  writes: Uint8Array[];
  /** Bytes to hand to the pipeline as SerialChunks of this protocol (only what is new). */
  publish: Uint8Array[];
  events: StreamEvent[];
  /** A new cursor to save for this device (only after a complete, intact download). */
  cursor?: string;
  /** The conversation is over; the transport runs a fresh one after `repeatAfterMs`. */
  done: boolean;
}

export interface SerialConversation {
  /** First step, right after the port opened. */
  start(now: Date): ConversationStep;
  /** Bytes read from the port. */
  receive(chunk: Uint8Array, now: Date): ConversationStep;
  /** Nothing arrived for `responseTimeoutMs` while an answer was awaited. */
  timeout(now: Date): ConversationStep;
}

export interface ConversationSpec {
  create(ctx: ConversationContext): SerialConversation;
  /** How long the transport waits for an answer before calling `timeout`. */
  responseTimeoutMs: number;
  /** How long after a finished conversation the transport starts the next one. */
  repeatAfterMs: number;
}

export function step(partial: Partial<ConversationStep> = {}): ConversationStep {
  return { writes: [], publish: [], events: [], done: false, ...partial };
}
