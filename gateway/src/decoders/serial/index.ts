/**
 * The serial protocols the gateway speaks: line settings, a streaming decoder, and for
 * command/response devices a conversation. Adding a protocol is one module plus one line here.
 */
import type { DecodeOptions, DecodeResult, StreamDecoder } from '../result.ts';
import { createCms50dLiveDecoder } from './contec-cms50d-live.ts';
import type { ConversationSpec } from './conversation.ts';
import { createNoninFormat2Decoder } from './nonin-format2.ts';
import { createUltra2Decoder } from './onetouch-ultra2.ts';
import { ULTRA2_CONVERSATION } from './onetouch-ultra2-conversation.ts';
import { mergeOutputs } from './stream-output.ts';

export type { ConversationContext, ConversationSpec, ConversationStep, SerialConversation } from './conversation.ts';
export { PerSecondDownsampler, type SecondReading } from './downsample.ts';

export interface SerialProtocol {
  /** Contract name of the protocol (`contec-cms50d-live`, ...). */
  name: string;
  /** Human name of the device family, used as `device.model` when a rule gives none. */
  model: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  /** Continuous monitors stream many values per second; the running gateway downsamples them. */
  continuous: boolean;
  createDecoder(opts: DecodeOptions): StreamDecoder;
  /** Command/response devices: what to write on open and how to react to answers. */
  conversation?: ConversationSpec;
}

export const SERIAL_PROTOCOLS: Record<string, SerialProtocol> = {
  'contec-cms50d-live': {
    name: 'contec-cms50d-live',
    model: 'Contec CMS50D+',
    baudRate: 19200,
    dataBits: 8,
    parity: 'odd',
    stopBits: 1,
    continuous: true,
    createDecoder: createCms50dLiveDecoder,
  },
  'nonin-format2': {
    name: 'nonin-format2',
    model: 'Nonin OEM III',
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    continuous: true,
    createDecoder: createNoninFormat2Decoder,
  },
  'onetouch-ultra2': {
    name: 'onetouch-ultra2',
    model: 'OneTouch Ultra 2',
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    continuous: false,
    createDecoder: createUltra2Decoder,
    conversation: ULTRA2_CONVERSATION,
  },
};

export const SERIAL_PROTOCOL_NAMES = Object.keys(SERIAL_PROTOCOLS);

export function serialProtocol(name: string): SerialProtocol | undefined {
  return Object.hasOwn(SERIAL_PROTOCOLS, name) ? SERIAL_PROTOCOLS[name] : undefined;
}

/**
 * The decoder command for one serial line: a fresh decoder over the chunk, every complete
 * valid frame's readings (no downsampling). ok:false for an unknown protocol, or when the
 * chunk held nothing decodable and some of it was corrupt or incomplete.
 */
export function decodeSerialChunk(protocol: string, bytes: Uint8Array, opts: DecodeOptions): DecodeResult {
  const p = serialProtocol(protocol);
  if (!p)
    return {
      ok: false,
      error: `unknown serial protocol "${protocol}"; known: ${SERIAL_PROTOCOL_NAMES.join(', ')}`,
    };
  if (bytes.length === 0) return { ok: false, error: 'the chunk is empty: give the bytes as hex' };
  const decoder = p.createDecoder(opts);
  const pushed = decoder.push(bytes);
  const ended = decoder.end();
  const out = mergeOutputs([pushed, ended]);
  if (out.frames === 0) {
    const incomplete = bytes.length - out.skippedBytes;
    return {
      ok: false,
      error:
        `no complete ${protocol} frame in ${bytes.length} bytes: ${out.skippedBytes} corrupt or out of frame` +
        (incomplete > 0 ? `, ${incomplete} in an incomplete frame` : ''),
    };
  }
  const notes = [...out.notes];
  if (out.skippedBytes > 0) notes.push(`skipped ${out.skippedBytes} corrupt or out-of-frame bytes`);
  for (const e of out.events)
    notes.push(`event ${e.type}${e.detail === undefined ? '' : ` ${JSON.stringify(e.detail)}`}`);
  return { ok: true, readings: out.readings, notes };
}
