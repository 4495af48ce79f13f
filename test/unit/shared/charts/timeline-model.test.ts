import { describe, expect, it } from 'vitest';
import { buildTimeline, spanAt } from '../../../../shared/charts/timeline-model';
import { contract } from '../../../../shared/contract';
import {
  abnormalDrop,
  appClose,
  at,
  CREATED,
  deployClose,
  outageSession,
  reconnects,
  rejectedUpgrade,
  userClose,
} from './session-fixture';

const S = 1_000_000;
/** Long after the session: a finished session must not depend on the clock. */
const LATER = at('09:00:00');

describe('the fixture', () => {
  it('is a valid sessions:get answer', () => {
    expect(contract.sessions.get.response.safeParse(outageSession()).success).toBe(true);
  });
});

describe('buildTimeline: a finished capture with reconnects', () => {
  const timeline = buildTimeline(outageSession(), LATER);

  it('runs the axis from the session’s start to its end, with 2% of room after', () => {
    expect(timeline.from).toBe(at('02:00:00'));
    // Five minutes recorded: 6 s of room after 02:05:00.
    expect(timeline.to).toBe(at('02:05:06'));
  });

  it('gives every connection a span classified by how it ended', () => {
    expect(
      timeline.spans.map((s) => ({
        ordinal: s.connection.ordinal,
        cls: s.cls,
        attemptAt: s.attemptAt,
        openedAt: s.openedAt,
        endAt: s.endAt,
        stillOpen: s.stillOpen,
      })),
    ).toEqual([
      // The first attempt starts with the session.
      {
        ordinal: 1,
        cls: 'restart',
        attemptAt: at('02:00:00'),
        openedAt: at('02:00:00.115'),
        endAt: at('02:01:00'),
        stillOpen: false,
      },
      // Each later one when the backoff scheduled after the previous connection ran out.
      {
        ordinal: 2,
        cls: 'failed',
        attemptAt: at('02:01:00.502'),
        openedAt: null,
        endAt: at('02:01:00.640'),
        stillOpen: false,
      },
      {
        ordinal: 3,
        cls: 'abnormal',
        attemptAt: at('02:01:01.641'),
        openedAt: at('02:01:01.760'),
        endAt: at('02:03:00'),
        stillOpen: false,
      },
      {
        ordinal: 4,
        cls: 'app',
        attemptAt: at('02:03:00.451'),
        openedAt: at('02:03:00.570'),
        endAt: at('02:04:30'),
        stillOpen: false,
      },
      {
        ordinal: 5,
        cls: 'normal',
        attemptAt: at('02:04:30.481'),
        openedAt: at('02:04:30.600'),
        endAt: at('02:05:00'),
        stillOpen: false,
      },
    ]);
    expect(timeline.spans.map((s) => s.connection)).toEqual([
      deployClose,
      rejectedUpgrade,
      abnormalDrop,
      appClose,
      userClose,
    ]);
  });

  it('marks each scheduled reconnect with when its wait ends', () => {
    expect(timeline.marks.map((m) => [m.event.kind, m.ts, m.until])).toEqual([
      ['reconnect-scheduled', at('02:01:00.002'), at('02:01:00.502')],
      ['reconnect-scheduled', at('02:01:00.641'), at('02:01:01.641')],
      ['reconnect-scheduled', at('02:03:00.001'), at('02:03:00.451')],
      ['reconnect-scheduled', at('02:04:30.001'), at('02:04:30.481')],
    ]);
    expect(timeline.marks.map((m) => m.event)).toEqual(reconnects);
  });

  it('does not depend on the clock once the session is over', () => {
    expect(buildTimeline(outageSession(), at('02:00:30'))).toEqual(timeline);
  });
});

describe('buildTimeline: when attempts began', () => {
  it('takes the end of the scheduled backoff over the handshake timings', () => {
    // The engine waited 300 ms, then spent 200 ms before DNS started: the attempt began at 02:01:00.302,
    // although the handshake timings alone (138 ms before 02:01:00.640) would say 02:01:00.502.
    const detail = outageSession({
      events: [{ ...reconnects[0]!, detail: { attempt: 1, delayMs: 300, after: 1 } }, ...reconnects.slice(1)],
    });
    expect(buildTimeline(detail, LATER).spans[1]!.attemptAt).toBe(at('02:01:00.302'));
  });

  it('never starts an attempt after it settled', () => {
    const detail = outageSession({
      events: [
        { ...reconnects[0]!, detail: { attempt: 1, delayMs: 5000, after: 1 } },
        ...reconnects.slice(1),
      ],
    });
    expect(buildTimeline(detail, LATER).spans[1]!.attemptAt).toBe(at('02:01:00.640'));
  });

  it('falls back to the handshake timings without reconnect events', () => {
    const { spans } = buildTimeline(outageSession({ events: [] }), LATER);
    expect(spans.map((s) => s.attemptAt)).toEqual([
      at('02:00:00'),
      // Closed at 02:01:00.640 after 1 + 12 + 35 + 90 ms of DNS, TCP, TLS and upgrade.
      at('02:01:00.502'),
      // Opened at 02:01:01.760 after 1 + 12 + 36 + 70 ms.
      at('02:01:01.641'),
      // Only the upgrade time is known: 119 ms.
      at('02:03:00.451'),
      // No timings at all: the attempt is drawn from when it opened.
      at('02:04:30.600'),
    ]);
  });

  it('ignores a reconnect event without a usable delay', () => {
    const detail = outageSession({
      events: [{ ...reconnects[0]!, detail: { attempt: 1, delayMs: '500', after: 1 } }],
    });
    const timeline = buildTimeline(detail, LATER);
    expect(timeline.marks[0]!.until).toBeNull();
    expect(timeline.spans[1]!.attemptAt).toBe(at('02:01:00.502'));
  });
});

describe('buildTimeline: a live capture', () => {
  const liveSession = (patch: Parameters<typeof outageSession>[0]) => {
    const base = outageSession();
    return outageSession({ session: { ...base.session, status: 'live', endedAt: null }, ...patch });
  };

  it('draws the open connection up to now', () => {
    const detail = liveSession({
      connections: [
        deployClose,
        rejectedUpgrade,
        { ...abnormalDrop, closedAt: null, closeCode: null, closeReason: null, closedBy: null },
      ],
      events: reconnects.slice(0, 2),
    });
    const timeline = buildTimeline(detail, at('02:03:00'));
    const last = timeline.spans[2]!;
    expect(last.cls).toBe('open');
    expect(last.stillOpen).toBe(true);
    expect(last.endAt).toBe(at('02:03:00'));
    // Three minutes: 3.6 s of room.
    expect(timeline.to).toBe(at('02:03:03.600'));
  });

  it('stretches the axis to the end of a pending reconnect wait', () => {
    const detail = liveSession({
      connections: [deployClose],
      events: [{ ...reconnects[0]!, detail: { attempt: 1, delayMs: 30_000, after: 1 } }],
    });
    const timeline = buildTimeline(detail, at('02:01:05'));
    expect(timeline.marks[0]!.until).toBe(at('02:01:30.002'));
    // 90.002 s shown, plus 2%.
    expect(timeline.to).toBe(at('02:01:30.002') + 1_800_040);
  });
});

describe('buildTimeline: an interrupted capture', () => {
  it('pins the recovery note to the end of what was recorded instead of stretching the axis', () => {
    const base = outageSession();
    const detail = outageSession({
      session: { ...base.session, status: 'interrupted', endedAt: '2025-11-22T02:02:31.000000Z' },
      connections: [
        deployClose,
        rejectedUpgrade,
        {
          ...abnormalDrop,
          closedAt: abnormalDrop.lastFrameTs,
          closeCode: null,
          closeReason: null,
          closedBy: null,
          error: {
            kind: 'other',
            message: 'capture interrupted: the recording process stopped before this connection closed',
          },
        },
      ],
      events: [
        ...reconnects.slice(0, 2),
        // Noted when the next process opened the store, hours later.
        {
          ts: '2025-11-22T05:40:00.000000Z',
          connection: null,
          kind: 'session-interrupted',
          detail: { recoveredFromSpool: 2900, pid: 4242 },
        },
      ],
    });
    const timeline = buildTimeline(detail, LATER);
    expect(timeline.marks.at(-1)!.event.kind).toBe('session-interrupted');
    expect(timeline.marks.at(-1)!.ts).toBe(at('02:02:31'));
    expect(timeline.marks.at(-1)!.until).toBeNull();
    expect(timeline.spans[2]!.cls).toBe('unknown');
    expect(timeline.spans[2]!.endAt).toBe(at('02:02:31'));
    // 151 s recorded, plus 2%.
    expect(timeline.to).toBe(at('02:02:34.020'));
  });
});

describe('buildTimeline: an empty session', () => {
  it('still gives an axis a millisecond wide', () => {
    const base = outageSession();
    const timeline = buildTimeline(
      outageSession({ session: { ...base.session, endedAt: CREATED }, connections: [], events: [] }),
      LATER,
    );
    expect(timeline).toEqual({ spans: [], marks: [], from: at('02:00:00'), to: at('02:00:00') + 1020 });
  });
});

describe('spanAt', () => {
  const { spans } = buildTimeline(outageSession(), LATER);
  const ordinalAt = (ts: number, slackUs: number) => spanAt(spans, ts, slackUs)?.connection.ordinal ?? null;

  it('finds the connection under the pointer', () => {
    expect(ordinalAt(at('02:00:30'), 0)).toBe(1);
    expect(ordinalAt(at('02:02:00'), 0)).toBe(3);
    expect(ordinalAt(at('02:04:45'), 0)).toBe(5);
  });

  it('counts the attempt and the end as part of the span', () => {
    expect(ordinalAt(at('02:01:00.502'), 0)).toBe(2);
    expect(ordinalAt(at('02:01:00.640'), 0)).toBe(2);
    expect(ordinalAt(at('02:00:00'), 0)).toBe(1);
  });

  it('finds nothing in a gap without slack', () => {
    // Between the 1001 close at 02:01:00 and the next attempt at 02:01:00.502.
    expect(ordinalAt(at('02:01:00.200'), 0)).toBeNull();
    expect(ordinalAt(at('02:01:00.200'), 0.1 * S)).toBeNull();
  });

  it('takes the nearest span within the slack', () => {
    expect(ordinalAt(at('02:01:00.200'), 0.25 * S)).toBe(1);
    expect(ordinalAt(at('02:01:00.400'), 1 * S)).toBe(2);
    expect(ordinalAt(at('01:59:59.900'), 0.2 * S)).toBe(1);
    expect(ordinalAt(at('01:59:59.900'), 0.05 * S)).toBeNull();
    expect(ordinalAt(at('02:05:00.500'), 1 * S)).toBe(5);
  });

  it('finds nothing without spans', () => {
    expect(spanAt([], at('02:00:30'), 10 * S)).toBeNull();
  });
});
