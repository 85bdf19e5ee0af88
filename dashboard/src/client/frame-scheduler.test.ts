import { describe, expect, it } from 'vitest';
import { createFrameScheduler } from './frame-scheduler.ts';

function fakeFrames() {
  const callbacks: (() => void)[] = [];
  return {
    request: (cb: () => void) => callbacks.push(cb),
    requested: () => callbacks.length,
    runFrame: () => {
      for (const cb of callbacks.splice(0)) cb();
    },
  };
}

describe('createFrameScheduler', () => {
  it('runs a task scheduled many times before a frame once, in that frame', () => {
    const frames = fakeFrames();
    const scheduler = createFrameScheduler(frames.request);
    let draws = 0;
    const draw = () => draws++;
    for (let i = 0; i < 100; i++) scheduler.schedule(draw);
    expect(draws).toBe(0);
    expect(frames.requested()).toBe(1);
    frames.runFrame();
    expect(draws).toBe(1);
  });

  it('runs every different task of a frame and asks for a new frame only when there is new work', () => {
    const frames = fakeFrames();
    const scheduler = createFrameScheduler(frames.request);
    const ran: string[] = [];
    scheduler.schedule(() => ran.push('a'));
    scheduler.schedule(() => ran.push('b'));
    frames.runFrame();
    expect(ran).toStrictEqual(['a', 'b']);
    expect(frames.requested()).toBe(0);
    scheduler.schedule(() => ran.push('c'));
    expect(frames.requested()).toBe(1);
  });

  it('puts a task scheduled while a frame runs into the next frame', () => {
    const frames = fakeFrames();
    const scheduler = createFrameScheduler(frames.request);
    let count = 0;
    const again = () => {
      count++;
      if (count === 1) scheduler.schedule(again);
    };
    scheduler.schedule(again);
    frames.runFrame();
    expect(count).toBe(1);
    frames.runFrame();
    expect(count).toBe(2);
  });
});
