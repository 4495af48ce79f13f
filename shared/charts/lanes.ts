// Rows of a connection timeline, the same in the console and in a report: a capture's connections,
// one after the other, share one row; a probe's, opened side by side, take a row each while they
// overlap on screen.

/** The pixels a span takes on screen: a bar at least 2 px wide, a failed attempt's cross 14 px. */
export function spanPixels(
  s: { attemptAt: number; openedAt: number | null; endAt: number },
  x: (ts: number) => number,
): readonly [number, number] {
  const x0 = x(s.attemptAt);
  const x1 = x(s.endAt);
  return s.openedAt === null ? [x0 - 1, x1 + 9] : [x0 - 1, Math.max(x1, x(s.openedAt) + 2) + 1];
}

/** A row for each interval so that no two that overlap share one, in order of their starts. */
export function assignLanes(intervals: ReadonlyArray<readonly [number, number]>): number[] {
  const ends: number[] = [];
  const lanes = new Array<number>(intervals.length).fill(0);
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a]![0] - intervals[b]![0]);
  for (const i of order) {
    const [from, to] = intervals[i]!;
    let lane = ends.findIndex((end) => end <= from);
    if (lane < 0) lane = ends.push(to) - 1;
    else ends[lane] = to;
    lanes[i] = lane;
  }
  return lanes;
}
