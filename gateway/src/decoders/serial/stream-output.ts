/** Small helpers shared by the streaming serial decoders. */
import type { StreamOutput } from '../result.ts';

export function emptyOutput(): StreamOutput {
  return { readings: [], notes: [], frames: 0, skippedBytes: 0, events: [] };
}

/** Concatenates outputs in order (used to compare chunkings and to run a whole chunk). */
export function mergeOutputs(outputs: readonly StreamOutput[]): StreamOutput {
  const merged = emptyOutput();
  for (const o of outputs) {
    merged.readings.push(...o.readings);
    merged.notes.push(...o.notes);
    merged.events.push(...o.events);
    merged.frames += o.frames;
    merged.skippedBytes += o.skippedBytes;
  }
  return merged;
}
