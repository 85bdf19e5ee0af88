/** What every decoder returns: readings in canonical units, or one precise error. */
import type { DecodedReading } from '@vitals/contract';

export type DecodeResult =
  | { ok: true; readings: DecodedReading[]; notes: string[]; info?: Record<string, unknown> }
  | { ok: false; error: string };

export interface DecodeOptions {
  /** IANA zone in which device-local timestamps are read. */
  tz: string;
  /** Device model, used to look up per-model quirks. */
  model?: string;
}

/**
 * A streaming serial decoder keeps state between chunks of one port's byte stream. It accepts
 * bytes in any chunking (a frame split across reads, several frames in one read): feeding the
 * same stream in different chunks gives the same readings, events and total skipped bytes.
 */
export interface StreamDecoder {
  /** Feeds a chunk as the port delivered it; returns what completed in it. */
  push(chunk: Uint8Array): StreamOutput;
  /**
   * Ends the stream: decodes a last frame that needs no terminator and reports bytes left in
   * an incomplete frame (in `notes`, not in `skippedBytes`). The decoder is fresh afterwards.
   */
  end(): StreamOutput;
  /** Anything the decoder wants to write to the device after a (re)connect (commands). */
  readonly pendingWrites?: Uint8Array[];
}

/** A status event of a streaming decoder: finger out, searching, sensor alarm, device clock, ... */
export interface StreamEvent {
  type: string;
  detail?: unknown;
}

export interface StreamOutput {
  readings: DecodedReading[];
  notes: string[];
  /** Intact frames (packets, lines) accepted since the last push, whether or not they gave readings. */
  frames: number;
  /** Bytes dropped while resynchronising since the last push (corrupt, out of frame, bad checksum). */
  skippedBytes: number;
  /** Status events (finger out, searching, ...) with their kind. */
  events: StreamEvent[];
}
