/**
 * A message as notifications PostgreSQL accepts: `<message id> <index>/<count> <text>`, each
 * at most a given number of bytes. The text is made ASCII first (JSON escapes, `\uXXXX`), so a
 * byte is a character and a cut never splits one.
 */

/** Escapes every non-ASCII character; valid for JSON text, where they can only stand in strings. */
export const asciiJson = (json: string): string =>
  json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** Splits `text` (ASCII) into frames of at most `maxBytes` bytes. */
export function frame(messageId: string, text: string, maxBytes: number): string[] {
  if (/[\s]/.test(messageId)) throw new Error('a message id must not contain white space');
  // The header is at most this long: the id, two counts of up to 9 digits, three separators.
  const room = maxBytes - (messageId.length + 2 * 9 + 3);
  if (room < 1) throw new Error(`a frame of ${maxBytes} bytes has no room for text`);
  const count = Math.max(1, Math.ceil(text.length / room));
  const frames: string[] = [];
  for (let i = 0; i < count; i++) frames.push(`${messageId} ${i}/${count} ${text.slice(i * room, (i + 1) * room)}`);
  return frames;
}

export interface Framed {
  messageId: string;
  text: string;
}

/** Puts frames back together; frames of messages never completed are dropped after `maxAgeMs`. */
export class Reassembly {
  private readonly partial = new Map<string, { parts: (string | undefined)[]; got: number; at: number }>();

  constructor(
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The whole message when `notification` completed one; null while parts are missing; throws when malformed. */
  add(notification: string): Framed | null {
    const m = /^(\S+) (\d{1,9})\/(\d{1,9}) /.exec(notification);
    if (!m) throw new Error('a frame must start with "<id> <index>/<count> "');
    const [head, messageId, i, n] = [m[0], m[1]!, Number(m[2]), Number(m[3])];
    if (n < 1 || i >= n) throw new Error(`frame ${i} of ${n} is out of range`);
    const text = notification.slice(head.length);
    if (n === 1) return { messageId, text };
    this.expire();
    let p = this.partial.get(messageId);
    if (!p) {
      p = { parts: new Array<string | undefined>(n), got: 0, at: this.now() };
      this.partial.set(messageId, p);
    }
    if (p.parts.length !== n)
      throw new Error(`frame of ${messageId} counts ${n} parts, an earlier one ${p.parts.length}`);
    if (p.parts[i] === undefined) p.got++;
    p.parts[i] = text;
    if (p.got < n) return null;
    this.partial.delete(messageId);
    return { messageId, text: p.parts.join('') };
  }

  /** Forgets every incomplete message (the connection was lost: their other frames will not come). */
  clear(): void {
    this.partial.clear();
  }

  get pending(): number {
    return this.partial.size;
  }

  private expire() {
    const t = this.now();
    for (const [id, p] of this.partial) if (t - p.at > this.maxAgeMs) this.partial.delete(id);
  }
}
