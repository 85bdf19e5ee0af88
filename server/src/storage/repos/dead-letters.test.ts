import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_PAYLOAD_LIMIT, deadLetterPayload } from './dead-letters.ts';

describe('deadLetterPayload', () => {
  it('keeps UTF-8 text without NUL as it came', () => {
    expect(deadLetterPayload('{"v":1,"name":"山田"}')).toEqual({ text: '{"v":1,"name":"山田"}', size: 23 });
  });

  it('keeps a payload with NUL as hex so PostgreSQL text can hold it', () => {
    expect(deadLetterPayload(Buffer.from([0x7b, 0x00, 0x7d]))).toEqual({ text: 'hex:7b007d', size: 3 });
  });

  it('keeps a payload of invalid UTF-8 as hex so no byte is lost', () => {
    expect(deadLetterPayload(Buffer.from([0xc3, 0x28, 0xff]))).toEqual({ text: 'hex:c328ff', size: 3 });
  });

  it('bounds what it keeps and records the full size', () => {
    const big = deadLetterPayload(Buffer.alloc(DEAD_LETTER_PAYLOAD_LIMIT * 2, 0x61));
    expect(big.text).toHaveLength(DEAD_LETTER_PAYLOAD_LIMIT);
    expect(big.size).toBe(DEAD_LETTER_PAYLOAD_LIMIT * 2);
    const binary = deadLetterPayload(Buffer.alloc(DEAD_LETTER_PAYLOAD_LIMIT * 2, 0));
    expect(binary.text).toHaveLength(4 + DEAD_LETTER_PAYLOAD_LIMIT);
  });
});
