// Diagnosis in bounded memory: measurements are bounded samples (exact while small), frames are
// taken one at a time, and a connection's working state goes as soon as its last frame is in;
// streaming gives the same diagnosis as a list of frames.
import { describe, expect, it } from 'vitest';
import { FrameAccumulator } from '../../../shared/diagnosis/facts.js';
import { Sample } from '../../../shared/diagnosis/sample.js';
import { diagnoseSession, streamDiagnosis } from '../../../shared/diagnosis/session.js';
import { latencySummary, median, quantile } from '../../../shared/diagnosis/stats.js';
import { FIXTURE_NAMES, fixtureData, readFixture } from '../../fixtures/diagnose/fixture.js';
import { at, conn, frame } from './build.js';

describe('Sample', () => {
  it('is exact while it holds every value', () => {
    const s = new Sample(100);
    for (const v of [5, 1, 4, 2, 3]) s.add(v);
    expect([s.count, s.min, s.max, median(s), quantile(s, 0.95)]).toEqual([5, 1, 5, 3, 4.8]);
    expect(latencySummary(s)).toEqual({ samples: 5, p50Ms: 3, p95Ms: 4.8, maxMs: 5 });
  });

  it('keeps at most its capacity, counts everything, and estimates quantiles of the rest', () => {
    const s = new Sample(1000);
    for (let i = 1; i <= 1_000_000; i++) s.add(i);
    expect(s.values).toHaveLength(1000);
    expect([s.count, s.min, s.max]).toEqual([1_000_000, 1, 1_000_000]);
    expect(Math.abs(median(s) - 500_000)).toBeLessThan(50_000);
    expect(Math.abs(quantile(s, 0.95) - 950_000)).toBeLessThan(20_000);
    const again = new Sample(1000);
    for (let i = 1; i <= 1_000_000; i++) again.add(i);
    expect(again.values).toEqual(s.values); // the same session always reads the same
  });
});

describe('streaming frames', () => {
  it('gives the same diagnosis as the list of frames, for every recorded fixture', () => {
    for (const name of FIXTURE_NAMES) {
      const data = fixtureData(readFixture(name));
      const counts = new Map<number, number>();
      for (const f of data.frames) counts.set(f.connection, (counts.get(f.connection) ?? 0) + 1);
      const stream = streamDiagnosis(data, { expectedFrames: counts });
      for (const f of data.frames) stream.add(f);
      const { checks, findings } = stream.finish();
      expect({ checks, findings }, name).toEqual(diagnoseSession(data));
    }
  });

  it("lets a connection's working state go once its last frame is in", () => {
    const connections = [1, 2, 3].map((n) => conn(n, { start: n * 10, close: n * 10 + 5 }));
    const acc = new FrameAccumulator(
      connections,
      null,
      'id',
      new Map([
        [1, 100],
        [2, 100],
        [3, 100],
      ]),
    );
    const open: number[] = [];
    for (const n of [1, 2, 3]) {
      for (let i = 0; i < 100; i++) acc.add(frame(n, n * 10 + i * 0.01, i % 2 ? 'in' : 'out', 'text'));
      open.push(acc.openConnections);
    }
    expect(open).toEqual([0, 0, 0]);
    const facts = acc.finish();
    expect(facts.frames).toBe(300);
    expect(facts.connections.get(2)).toMatchObject({
      frames: 100,
      dataIn: 50,
      dataOut: 50,
      lastTs: at(20.99),
    });
  });
});
