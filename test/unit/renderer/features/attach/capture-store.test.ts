import { describe, expect, it } from 'vitest';
import type { Api } from '../../../../../shared/contract';
import { CaptureStore, type CaptureStatus } from '../../../../../renderer/features/attach/capture-store';

/** An Api that only pushes `capture:status` when the test says so. */
function fakeApi() {
  let listener: ((s: CaptureStatus) => void) | null = null;
  const api = {
    on: (_topic: string, l: (s: CaptureStatus) => void) => {
      listener = l;
      return () => (listener = null);
    },
    capture: { list: () => new Promise<CaptureStatus[]>(() => {}) },
  } as unknown as Api;
  return { api, push: (s: CaptureStatus) => listener?.(s) };
}

/** A scheduler the test runs by hand: one entry per animation frame asked for. */
function manualFrames() {
  const queue: Array<() => void> = [];
  return {
    schedule: (flush: () => void) => void queue.push(flush),
    runFrame: () => {
      for (const f of queue.splice(0)) f();
    },
    get asked() {
      return queue.length;
    },
  };
}

function status(sessionId: number, framesIn: number, committed: number): CaptureStatus {
  return {
    sessionId,
    url: 'ws://127.0.0.1:1/',
    state: 'open',
    framesIn,
    framesOut: 0,
    bytesIn: framesIn * 100,
    bytesOut: 0,
    committed,
    lastPingRttMs: null,
    connection: null,
    message: null,
  };
}

describe('CaptureStore: pushes are coalesced into animation frames', () => {
  it('tells subscribers once per frame, with the latest status of each capture', () => {
    const { api, push } = fakeApi();
    const frames = manualFrames();
    const store = new CaptureStore(api, frames.schedule);
    let heard = 0;
    store.subscribe(() => heard++);

    for (let i = 1; i <= 50; i++) push(status(1, i * 1000, i * 900));
    push(status(2, 7, 7));
    expect(frames.asked).toBe(1);
    expect(heard).toBe(0);
    expect(store.statuses.size).toBe(0);

    frames.runFrame();
    expect(heard).toBe(1);
    expect(store.statuses.get(1)?.framesIn).toBe(50_000);
    expect(store.statuses.get(1)?.committed).toBe(45_000);
    expect(store.statuses.get(2)?.committed).toBe(7);
  });

  it('counts every frame of the coalesced pushes in the rate of the second', () => {
    const { api, push } = fakeApi();
    const frames = manualFrames();
    const store = new CaptureStore(api, frames.schedule);
    push(status(1, 0, 0));
    frames.runFrame();
    for (let i = 1; i <= 10; i++) push(status(1, i * 5000, 0));
    frames.runFrame();
    // The second still open holds the frames that arrived in it; the series closes it later.
    const rate = (
      store as unknown as { rates: Map<number, { current: number; series: number[] }> }
    ).rates.get(1)!;
    expect(rate.current + rate.series.reduce((a, b) => a + b, 0)).toBe(50_000);
  });

  it('asks for a new frame after a flush, so that no later push waits for ever', () => {
    const { api, push } = fakeApi();
    const frames = manualFrames();
    const store = new CaptureStore(api, frames.schedule);
    push(status(1, 10, 10));
    frames.runFrame();
    push(status(1, 20, 20));
    expect(frames.asked).toBe(1);
    frames.runFrame();
    expect(store.statuses.get(1)?.committed).toBe(20);
  });
});
