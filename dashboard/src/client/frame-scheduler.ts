/**
 * At most one redraw per animation frame (uPlot demos/stream-data.html): work scheduled many
 * times before the next frame runs once, in that frame.
 */
export interface FrameScheduler {
  /** Runs `task` in the next frame; scheduling the same task again before then is a no-op. */
  schedule(task: () => void): void;
}

export function createFrameScheduler(
  requestFrame: (callback: () => void) => unknown = (cb) => requestAnimationFrame(cb),
): FrameScheduler {
  const pending = new Set<() => void>();
  let requested = false;
  const run = (): void => {
    requested = false;
    const tasks = [...pending];
    pending.clear();
    for (const task of tasks) task();
  };
  return {
    schedule(task) {
      pending.add(task);
      if (!requested) {
        requested = true;
        requestFrame(run);
      }
    },
  };
}
