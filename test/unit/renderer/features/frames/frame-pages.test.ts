import { describe, expect, it } from 'vitest';
import type { Api, RequestOf, ResponseOf } from '../../../../../shared/contract';
import { FramePages, PAGE_SIZE, TAIL_ROWS } from '../../../../../renderer/features/frames/frame-pages';

type FramesRequest = RequestOf<'sessions', 'frames'>;
type FramesAnswer = ResponseOf<'sessions', 'frames'>;

/**
 * A live session in the engine: `committed` frames numbered 1..n. Answers are held until the test
 * lets them go, as the engine's answers are in flight while the capture goes on.
 */
function liveSession() {
  const held: Array<() => void> = [];
  const asked: FramesRequest[] = [];
  const session = { committed: 0 };
  const answer = (r: FramesRequest): FramesAnswer => {
    const offset = r.offset ?? 0;
    const end = Math.min(session.committed, offset + (r.limit ?? PAGE_SIZE));
    const frames = [];
    for (let seq = offset + 1; seq <= end; seq++) {
      frames.push({
        seq,
        connection: 1,
        ts: 1_700_000_000_000_000 + seq,
        direction: 'in' as const,
        opcode: 'text' as const,
        size: 100,
        truncated: false,
        preview: `{"seq":${seq}}`,
        message: null,
      });
    }
    return { total: session.committed, frames, unindexed: 0 };
  };
  const api = {
    sessions: {
      frames: (r: FramesRequest) => {
        asked.push(r);
        return new Promise<FramesAnswer>((resolve) => held.push(() => resolve(answer(r))));
      },
    },
  } as unknown as Api;
  return {
    api,
    session,
    asked,
    /** Lets every held answer go (answered as of now), and waits for their handlers. */
    async answerAll() {
      while (held.length) {
        for (const go of held.splice(0)) go();
        await new Promise((r) => setTimeout(r, 0));
      }
    },
  };
}

describe('FramePages.follow: a live list grows only to rows it holds', () => {
  it('shows a flood as few changes, and the last count is the committed one', async () => {
    const engine = liveSession();
    const pages = new FramePages(engine.api, 1, {});
    let changes = 0;
    pages.listen(() => changes++);

    // 50,000 frames/s, a status push every 100 ms, for two seconds: 20 pushes while answers lag.
    for (let push = 1; push <= 20; push++) {
      engine.session.committed = push * 5000;
      pages.follow(engine.session.committed);
      if (push % 5 === 0) await engine.answerAll();
    }
    await engine.answerAll();

    expect(pages.total).toBe(100_000);
    // One tail read in flight at a time: far fewer reads than pushes.
    const tailReads = new Set(engine.asked.map((r) => r.offset)).size;
    expect(tailReads).toBeLessThanOrEqual(2 * 5);
    expect(changes).toBeLessThanOrEqual(5);
  });

  it('holds every row of the screen at the tail when the count moves', async () => {
    const engine = liveSession();
    const pages = new FramePages(engine.api, 1, {});
    const seen: number[] = [];
    pages.listen(() => {
      const total = pages.total ?? 0;
      // What the list shows at the tail: none of these rows may be missing.
      for (let i = Math.max(0, total - TAIL_ROWS); i < total; i++) {
        const row = pages.row(i);
        expect(row?.seq).toBe(i + 1);
      }
      seen.push(total);
    });
    for (const committed of [1, 63, 64, 65, 1000, 1001, 123_457]) {
      engine.session.committed = committed;
      pages.follow(committed);
      await engine.answerAll();
    }
    expect(seen).toEqual([1, 63, 64, 65, 1000, 1001, 123_457]);
  });

  it('loses no frame: every row from the first to the last is there when scrolled to', async () => {
    const engine = liveSession();
    const pages = new FramePages(engine.api, 1, {});
    for (let committed = 0; committed <= 3000; committed += 777) {
      engine.session.committed = committed;
      pages.follow(committed);
    }
    engine.session.committed = 3001;
    pages.follow(3001);
    await engine.answerAll();
    expect(pages.total).toBe(3001);
    for (let first = 0; first < 3001; first += PAGE_SIZE * 4) {
      pages.ensure(first, first + PAGE_SIZE * 4, 3001);
      await engine.answerAll();
    }
    const seqs: number[] = [];
    for (let i = 0; i < 3001; i++) seqs.push(pages.row(i)?.seq ?? -1);
    expect(seqs).toEqual(Array.from({ length: 3001 }, (_, i) => i + 1));
  });

  it('reads pages of about a screenful, never more rows than asked', async () => {
    const engine = liveSession();
    engine.session.committed = 10_000;
    const pages = new FramePages(engine.api, 1, {});
    pages.ensure(0, 40, 10_000);
    await engine.answerAll();
    expect(engine.asked.every((r) => (r.limit ?? 0) <= 64)).toBe(true);
  });
});
