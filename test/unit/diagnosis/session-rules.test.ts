// The session rules on plain data built by hand: what each one concludes, and what it must not.
import { describe, expect, it } from 'vitest';
import { burstStats, proxyBufferingFinding } from '../../../shared/diagnosis/bursts.js';
import { tightestCluster } from '../../../shared/diagnosis/closes.js';
import { epochMs, toDiagFrame } from '../../../shared/diagnosis/frames.js';
import { droppedUpgrade, proxySignature } from '../../../shared/diagnosis/handshakes.js';
import type { DiagFrame } from '../../../shared/diagnosis/input.js';
import { flatDelays, peakInWindow, reconnectsOf } from '../../../shared/diagnosis/reconnects.js';
import { diagnoseSession } from '../../../shared/diagnosis/session.js';
import { quantile } from '../../../shared/diagnosis/stats.js';
import { canary, expectNoSecrets } from '../../support/secrets.js';
import { at, conn, frame, session } from './build.js';

const ids = (d: { findings: Array<{ id: string }> }) => d.findings.map((f) => f.id);
const find = (
  d: { findings: Array<{ id: string; evidence: Record<string, unknown>; severity: string }> },
  id: string,
) => d.findings.find((f) => f.id === id);

describe('frames', () => {
  it('reads the JSON id and the send time, from whole messages and from truncated heads', () => {
    const whole = toDiagFrame({
      connection: 1,
      ts: at(0),
      direction: 'out',
      opcode: 'text',
      size: 30,
      head: '{"id":7,"sentAt":1800000000123}',
    });
    expect(whole).toMatchObject({ messageId: '7', sentAtMs: 1800000000123 });
    const truncated = toDiagFrame(
      {
        connection: 1,
        ts: at(0),
        direction: 'in',
        opcode: 'text',
        size: 9000,
        head: '{"requestId":"a-1","timestamp":"2027-01-15T08:00:00.250Z","data":[1,2,3,',
      },
      'requestId',
    );
    expect(truncated).toMatchObject({ messageId: 'a-1', sentAtMs: Date.parse('2027-01-15T08:00:00.250Z') });
    expect(
      toDiagFrame({ connection: 1, ts: 0, direction: 'in', opcode: 'ping', size: 4, head: 'deadbeef' })
        .controlKey,
    ).toBe('deadbeef');
    expect(
      toDiagFrame({ connection: 1, ts: 0, direction: 'in', opcode: 'text', size: 5, head: 'hello' }),
    ).not.toHaveProperty('messageId');
  });

  it('takes epoch times in seconds, milliseconds or microseconds', () => {
    expect(epochMs(1_800_000_000)).toBe(1_800_000_000_000);
    expect(epochMs(1_800_000_000_123)).toBe(1_800_000_000_123);
    expect(epochMs(1_800_000_000_123_456)).toBeCloseTo(1_800_000_000_123.456, 3);
    expect(epochMs(42)).toBeUndefined();
    expect(epochMs('yesterday')).toBeUndefined();
  });
});

describe('handshake failures', () => {
  it('tells a proxy that dropped the upgrade from a refusal', () => {
    expect(droppedUpgrade(426, {})).toBe(true);
    expect(droppedUpgrade(400, { Server: 'nginx/1.22.1' })).toBe(true);
    expect(droppedUpgrade(200, { Via: '1.1 varnish' })).toBe(true);
    expect(droppedUpgrade(400, { Server: 'Python/3.11 websockets/10.4' })).toBe(false);
    expect(droppedUpgrade(400, {}, true)).toBe(true);
    expect(droppedUpgrade(403, { Server: 'nginx' })).toBe(false);
    expect(droppedUpgrade(502, { Server: 'nginx' })).toBe(false);
    expect(proxySignature({ server: 'HAProxy' })).toBe('HAProxy');
  });

  it('reports refused, TLS-failed and rejected attempts, and an https Origin on a ws:// target', () => {
    const d = diagnoseSession(
      session(
        [
          conn(1, { open: null, error: { kind: 'refused', message: 'connection refused by 127.0.0.1:1' } }),
          conn(2, { open: null, error: { kind: 'tls', message: 'TLS failed: CERT_HAS_EXPIRED' } }),
          conn(3, {
            open: null,
            status: 401,
            error: { kind: 'upgrade-rejected', message: 'HTTP 401' },
            responseBodyHead: 'token expired',
          }),
          conn(4, { open: null, status: 426, error: { kind: 'upgrade-rejected', message: 'HTTP 426' } }),
        ],
        [],
        { origin: 'https://app.example.com' },
      ),
    );
    expect(ids(d)).toEqual(
      expect.arrayContaining([
        'server-unreachable',
        'tls-error',
        'upgrade-rejected',
        'proxy-missing-upgrade',
        'mixed-content',
      ]),
    );
    expect(find(d, 'upgrade-rejected')!.evidence).toMatchObject({ status: 401, bodyHead: 'token expired' });
    expect(find(d, 'proxy-missing-upgrade')!.evidence).toMatchObject({ status: 426 });
  });
});

describe('closes', () => {
  it('finds an idle timeout in a tight cluster of drops after the last traffic, with the measured seconds', () => {
    const connections = [0, 1, 2].map((i) =>
      conn(i + 1, { start: i * 70, close: i * 70 + 65 + i * 0.2, closeCode: 1006, closedBy: 'network' }),
    );
    // Some traffic at 5 s, then silence until the proxy cuts it ~60 s later.
    const frames = connections.map((c, i) => frame(c.ordinal, i * 70 + 5, 'in', 'text'));
    const d = diagnoseSession(session(connections, frames));
    const f = find(d, 'idle-timeout')!;
    expect(f.severity).toBe('critical');
    expect(f.evidence).toMatchObject({ idleSeconds: 60.2, connections: 3, closeCodes: { '1006': 3 } });
    expect(f.evidence.spreadSeconds).toBeCloseTo(0.4, 5);
    // No pings from the server in 65 s connections that were cut: no heartbeat.
    expect(find(d, 'no-heartbeat')!.evidence).toMatchObject({ pingsSeen: 0, idleSeconds: 60.2 });
    expect(ids(d)).not.toContain('abnormal-closure');
  });

  it('reports one long idle drop as a warning, and 1006 during traffic as abnormal', () => {
    const lone = diagnoseSession(
      session([conn(1, { close: 45, closeCode: 1006, closedBy: 'network' })], [frame(1, 15, 'in', 'text')]),
    );
    expect(find(lone, 'idle-timeout')).toMatchObject({
      severity: 'warning',
      evidence: { idleSeconds: 30, steady: false },
    });

    const busy = diagnoseSession(
      session(
        [conn(1, { close: 3, closeCode: 1006, closedBy: 'network' })],
        [0.5, 1, 1.5, 2, 2.5, 2.95].map((t) => frame(1, t, 'in', 'text')),
      ),
    );
    expect(ids(busy)).toEqual(['abnormal-closure']);
    expect(find(busy, 'abnormal-closure')!.evidence).toMatchObject({
      connections: 1,
      idleSecondsBeforeClose: [0.1],
    });
  });

  it("names an idle cut Frameline's relay played as its fault, and takes no other relay close for the server's or the path's", () => {
    const cut = (i: number) =>
      conn(i + 1, {
        start: i * 10,
        close: i * 10 + 6 + i * 0.1,
        closeCode: 1006,
        closedBy: 'relay',
        closeFault: 'idle-cut=5',
      });
    const played = diagnoseSession(
      session(
        [0, 1, 2].map(cut),
        [0, 1, 2].map((i) => frame(i + 1, i * 10 + 1, 'in', 'text')),
      ),
    );
    const idle = find(played, 'idle-timeout')!;
    expect(idle.evidence).toMatchObject({ idleSeconds: 5.1, connections: 3, fault: 'idle-cut=5' });
    expect((idle as unknown as { summary: string }).summary).toMatch(
      /by Frameline's relay \(fault idle-cut=5\): the idle timeout it plays, not one of the server or its path/,
    );

    // A cut after a time, a close the relay sent, and the relay stopping: none is a drop on the
    // path nor the server's close.
    const own = diagnoseSession(
      session(
        [
          conn(1, { close: 30, closeCode: 1006, closedBy: 'relay', closeFault: 'cut-after=30' }),
          conn(2, { start: 40, close: 42, closeCode: 4000, closedBy: 'relay', closeFault: 'close=4000@2' }),
          conn(3, { start: 50, close: 70, closeCode: 1001, closedBy: 'relay' }),
        ],
        [frame(1, 29.9, 'in', 'text'), frame(2, 41.9, 'in', 'text'), frame(3, 69.9, 'in', 'text')],
      ),
    );
    expect(ids(own)).not.toContain('idle-timeout');
    expect(ids(own)).not.toContain('abnormal-closure');
    expect(ids(own)).not.toContain('server-close');
  });

  it('names server closes with a cause and leaves client and normal closes alone', () => {
    const d = diagnoseSession(
      session([
        conn(1, { close: 1, closeCode: 1011, closeReason: 'db down', closedBy: 'server' }),
        conn(2, { start: 20, close: 21, closeCode: 4003, closedBy: 'server' }),
        conn(3, { start: 40, close: 41, closeCode: 1000, closedBy: 'client' }),
        conn(4, { start: 60, close: 61, closeCode: 1000, closedBy: 'server' }),
      ]),
    );
    expect(ids(d)).toEqual(['server-close']);
    expect(find(d, 'server-close')!.evidence).toMatchObject({
      codes: { '1011': 1, '4003': 1 },
      reasons: ['db down'],
    });
  });

  it('names a protocol violation the client closed for, and does not call it a network drop', () => {
    const d = diagnoseSession(
      session(
        [
          conn(1, {
            close: 2,
            closeCode: 1002,
            closedBy: 'client',
            error: { kind: 'protocol', message: 'the server sent a masked frame (only clients mask)' },
          }),
          conn(2, {
            start: 10,
            close: 11,
            closeCode: 1009,
            closedBy: 'client',
            error: { kind: 'protocol', message: 'too big' },
          }),
        ],
        [frame(1, 1, 'in', 'text'), frame(2, 10.5, 'in', 'text')],
        {
          events: [
            {
              ts: at(2),
              connection: 1,
              kind: 'protocol-violation',
              detail: {
                violation: 'masked-frame',
                closeCode: 1002,
                message: 'the server sent a masked frame',
              },
            },
          ],
        },
      ),
    );
    expect(ids(d)).toEqual(['protocol-violation']);
    expect(find(d, 'protocol-violation')).toMatchObject({
      severity: 'critical',
      evidence: {
        violations: { 'masked-frame': 1, 'protocol-error': 1 },
        closeCodes: { '1002': 1, '1009': 1 },
      },
    });
    expect(d.checks.find((c) => c.name === 'protocol')).toMatchObject({ ok: false });
  });

  it('names the client as the one that broke the protocol when the server (a mock) closed', () => {
    const d = diagnoseSession(
      session(
        [
          conn(1, {
            close: 2,
            closeCode: 1002,
            closedBy: 'server',
            error: {
              kind: 'protocol',
              message: 'the client sent an unmasked frame; the mock closed with 1002',
            },
          }),
        ],
        [],
        {
          events: [
            {
              ts: at(2),
              connection: 1,
              kind: 'protocol-violation',
              detail: {
                violation: 'unmasked-frame',
                closeCode: 1002,
                message: 'the client sent an unmasked frame; the mock closed with 1002',
              },
            },
          ],
        },
      ),
    );
    expect(find(d, 'protocol-violation')).toMatchObject({
      summary: expect.stringMatching(/closed by the server because the client broke the WebSocket protocol/),
      evidence: { violations: { 'unmasked-frame': 1 }, closeCodes: { '1002': 1 } },
    });
  });

  it('calls an unanswered close a warning, not a broken server', () => {
    const d = diagnoseSession(
      session(
        [
          conn(1, {
            close: 3,
            closeCode: 1000,
            closedBy: 'client',
            error: { kind: 'protocol', message: 'the server did not answer our close' },
          }),
        ],
        [],
        {
          events: [
            {
              ts: at(3),
              connection: 1,
              kind: 'protocol-violation',
              detail: {
                violation: 'close-unanswered',
                closeCode: 1000,
                message: 'the server did not answer our close',
              },
            },
          ],
        },
      ),
    );
    expect(find(d, 'protocol-violation')).toMatchObject({ severity: 'warning' });
  });

  it('clusters values within a second or 10 %', () => {
    const cluster = tightestCluster([2.1, 2.0, 1.9, 5, 30, 60.1, 59.8], (v) => v);
    expect(cluster).toEqual([1.9, 2.0, 2.1]);
    expect(tightestCluster([], (v: number) => v)).toEqual([]);
  });
});

describe('reconnects', () => {
  it('counts the peak of reconnects in any 10 s window', () => {
    expect(
      peakInWindow(
        [0, 1, 2, 11, 12, 13, 14].map((s) => s * 1e6),
        10e6,
      ),
    ).toBe(4);
  });

  it('finds a storm above 5 reconnects a second over 10 s', () => {
    const connections = Array.from({ length: 70 }, (_, i) =>
      conn(i + 1, { start: i * 0.1, open: null, error: { kind: 'refused', message: 'refused' } }),
    );
    const d = diagnoseSession(session(connections));
    expect(find(d, 'reconnect-storm')!.evidence).toMatchObject({
      reconnects: 69,
      peakInWindow: 69,
      peakPerSecond: 6.9,
    });
  });

  it('finds reconnects without backoff, and leaves exponential backoff alone', () => {
    expect(flatDelays([1000, 1000, 1000, 1000, 1000])).toBe(true);
    expect(flatDelays([800, 1200, 900, 1100, 1000])).toBe(true); // jitter without growth
    expect(flatDelays([500, 1000, 2000, 4000, 8000])).toBe(false);
    expect(flatDelays([30_000, 30_000, 30_000, 30_000, 30_000])).toBe(false); // a patient fixed retry
    const flat = Array.from({ length: 8 }, (_, i) =>
      conn(i + 1, { start: i * 1.2, close: i * 1.2 + 0.2, closeCode: 1006, closedBy: 'network' }),
    );
    expect(find(diagnoseSession(session(flat)), 'reconnect-storm')!.evidence).toMatchObject({
      backoff: false,
      failingRun: 7,
    });
    let t = 0;
    const backoff = Array.from({ length: 8 }, (_, i) => {
      const c = conn(i + 1, { start: t, close: t + 0.2, closeCode: 1006, closedBy: 'network' });
      t += 0.2 + 0.5 * 2 ** i;
      return c;
    });
    expect(ids(diagnoseSession(session(backoff)))).not.toContain('reconnect-storm');
  });

  it('counts a connection as a reconnect only when every earlier one had ended', () => {
    const span = (from: number, to: number) => ({ startedAt: from * 1e6, endedAt: to * 1e6 });
    // Eight connections side by side (a probe): no reconnect at all.
    expect(reconnectsOf(Array.from({ length: 8 }, (_, i) => span(i * 0.01, 3 + i * 0.1)))).toEqual([]);
    // Two side by side, then one after both ended (its gap from the later end), then one at once.
    expect(reconnectsOf([span(0, 2), span(0.5, 3), span(4.5, 6), span(6, 7)])).toEqual([
      { index: 2, after: 1, gapUs: 1.5e6 },
      { index: 3, after: 2, gapUs: 0 },
    ]);
    // Given out of order: indexes still point into what was given.
    expect(reconnectsOf([span(10, 11), span(0, 1)])).toEqual([{ index: 0, after: 1, gapUs: 9e6 }]);
  });

  it('says a probe’s parallel connections are no reconnects and no storm', () => {
    const parallel = Array.from({ length: 8 }, (_, i) =>
      conn(i + 1, { start: i * 0.001, close: 0.5 + i * 0.01, closeCode: 1000, closedBy: 'client' }),
    );
    const d = diagnoseSession(session(parallel));
    expect(ids(d)).not.toContain('reconnect-storm');
    expect(d.checks.find((c) => c.name === 'reconnects')!.detail).toEqual({ reconnects: 0 });
  });
});

describe('heartbeats and round trips', () => {
  const ping = (t: number, key: string, dir: 'in' | 'out' = 'out') =>
    frame(1, t, dir, 'ping', { controlKey: key });
  const pong = (t: number, key: string, dir: 'in' | 'out' = 'in') =>
    frame(1, t, dir, 'pong', { controlKey: key });

  it('pairs pings and pongs by payload and measures round trips', () => {
    const frames = [
      ping(1, 'a'),
      pong(1.02, 'a'),
      ping(2, 'b'),
      pong(2.03, 'b'),
      ping(3, 'c'),
      pong(3.01, 'c'),
    ];
    const d = diagnoseSession(session([conn(1, { close: 4, closeCode: 1000, closedBy: 'client' })], frames));
    expect(ids(d)).toEqual([]);
    expect(d.checks.find((c) => c.name === 'round trips')!.detail.ping).toMatchObject({
      samples: 3,
      maxMs: 30,
    });
  });

  it('reports missing and late pongs', () => {
    const missing = [ping(1, 'a'), ping(2, 'b'), ping(3, 'c'), pong(3.01, 'c')];
    const d = diagnoseSession(session([conn(1, { close: 6, closeCode: 1000, closedBy: 'client' })], missing));
    expect(find(d, 'heartbeat-timeout')).toMatchObject({
      severity: 'critical',
      evidence: { pings: 3, pongs: 1, missing: 2, late: 0 },
    });

    const late = [ping(1, 'a'), pong(2.5, 'a'), ping(3, 'b'), pong(4.6, 'b'), ping(5, 'c'), pong(5.01, 'c')];
    const l = diagnoseSession(session([conn(1, { close: 6, closeCode: 1000, closedBy: 'client' })], late));
    expect(find(l, 'heartbeat-timeout')).toMatchObject({
      severity: 'warning',
      evidence: { late: 2, missing: 0, maxRttMs: 1600 },
    });
    // Pongs that took 1.5 s count as round trips too.
    expect(find(l, 'high-latency')!.evidence).toMatchObject({ source: 'ping' });
  });

  it('names a ping flood from the server, and settles the pings a later pong stood for', () => {
    // 300 pings 1 ms apart; the client answers the first 100 one by one, then only the latest
    // (RFC 6455 §5.5.3), as Frameline does once its pongs in flight reach their bound.
    const frames: DiagFrame[] = [];
    for (let i = 0; i < 300; i++) {
      frames.push(ping(1 + i / 1000, `p${i}`, 'in'));
      if (i < 100) frames.push(pong(1 + i / 1000 + 0.0001, `p${i}`, 'out'));
    }
    frames.push(pong(1.31, 'p299', 'out'));
    const d = diagnoseSession(session([conn(1, { close: 5, closeCode: 1000, closedBy: 'server' })], frames));
    expect(ids(d)).toEqual(['ping-flood']);
    expect(find(d, 'ping-flood')).toMatchObject({
      severity: 'warning',
      evidence: { from: 'server', pings: 300, pingsPerSecond: 300, connections: [1] },
    });
    expect(d.checks.find((c) => c.name === 'heartbeats')).toMatchObject({
      ok: false,
      detail: { pongsMissing: 0, serverPingFloods: 1 },
    });
  });

  it('names a client that floods pings (a mock’s session), and no flood in a steady heartbeat', () => {
    const flood: DiagFrame[] = [];
    for (let i = 0; i < 60; i++)
      flood.push(ping(1 + i / 100, `c${i}`, 'out'), pong(1 + i / 100 + 0.001, `c${i}`, 'in'));
    const d = diagnoseSession(session([conn(1, { close: 2, closeCode: 1000, closedBy: 'client' })], flood));
    expect(find(d, 'ping-flood')?.evidence).toMatchObject({ from: 'client', pings: 60, connections: [1] });

    // A ping a second for two minutes, and 20 at once: a heartbeat, not a flood.
    const steady: DiagFrame[] = [];
    for (let i = 0; i < 120; i++)
      steady.push(ping(1 + i, `s${i}`, 'in'), pong(1 + i + 0.001, `s${i}`, 'out'));
    for (let i = 0; i < 20; i++)
      steady.push(ping(200 + i / 1000, `b${i}`, 'in'), pong(200.5, `b${i}`, 'out'));
    const s = diagnoseSession(
      session([conn(1, { close: 201, closeCode: 1000, closedBy: 'server' })], steady),
    );
    expect(ids(s)).not.toContain('ping-flood');
  });

  it('reports a server heartbeat slower than the idle timeout', () => {
    const connections = [0, 1].map((i) =>
      conn(i + 1, { start: i * 100, close: i * 100 + 60.3, closeCode: 1006, closedBy: 'network' }),
    );
    // The server pings every 90 s: once, at 0 s... never again before the 60 s cut.
    const frames = [
      frame(1, 0.2, 'in', 'ping', { controlKey: 'x' }),
      frame(2, 100.3, 'in', 'ping', { controlKey: 'y' }),
    ];
    const d = diagnoseSession(session(connections, frames));
    expect(find(d, 'idle-timeout')!.evidence.idleSeconds).toBe(60.1);
    expect(ids(d)).not.toContain('no-heartbeat'); // one ping each: no interval to compare
  });

  it('pairs requests and responses by the JSON id and finds slow ones (p95 over 100 ms)', () => {
    const frames: DiagFrame[] = [];
    for (let i = 0; i < 10; i++) {
      frames.push(frame(1, i, 'out', 'text', { messageId: String(i) }));
      frames.push(frame(1, i + (i === 9 ? 0.4 : 0.05), 'in', 'text', { messageId: String(i) }));
    }
    const d = diagnoseSession(session([conn(1, { close: 11, closeCode: 1000, closedBy: 'client' })], frames));
    const f = find(d, 'high-latency')!;
    expect(f.evidence).toMatchObject({ source: 'request-response', samples: 10, p50Ms: 50, maxMs: 400 });
    expect(f.evidence.p95Ms as number).toBeGreaterThan(100);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('reports a connection that sends and never hears back', () => {
    const frames = [frame(1, 1, 'out', 'text'), frame(1, 2, 'out', 'text')];
    const d = diagnoseSession(session([conn(1, { close: 10, closeCode: 1000, closedBy: 'client' })], frames));
    expect(find(d, 'no-messages')!.evidence).toMatchObject({
      connections: 1,
      sent: 2,
      received: 0,
      waitedSeconds: 9,
    });
  });
});

describe('bursts', () => {
  /** Messages sent every 50 ms; `heldMs` > 0 delivers them in batches at multiples of heldMs. */
  function stream(count: number, heldMs: number, stamped = true): DiagFrame[] {
    return Array.from({ length: count }, (_, i) => {
      const sent = i * 50;
      const arrival = heldMs > 0 ? Math.ceil((sent + 1) / heldMs) * heldMs + (i % 20) * 0.1 : sent + 1;
      return frame(1, arrival / 1000, 'in', 'text', stamped ? { sentAtMs: 1_800_000_000_000 + sent } : {});
    });
  }

  it('finds messages held and delivered in batches, with the delay from the send times', () => {
    const stats = burstStats(stream(100, 600))!;
    expect(stats.bursts).toBeGreaterThanOrEqual(7);
    const f = proxyBufferingFinding([stats])!;
    expect(f).toMatchObject({ id: 'proxy-buffering', severity: 'warning', evidence: { sendTimes: true } });
    expect(f.evidence.maxHeldMs as number).toBeGreaterThan(500);
  });

  it('calls the same pattern without send times a hint (info), and a steady stream nothing', () => {
    expect(proxyBufferingFinding([burstStats(stream(100, 600, false))!])).toMatchObject({ severity: 'info' });
    expect(proxyBufferingFinding([burstStats(stream(100, 0))!])).toBeNull();
  });

  it('does not blame the path when the server itself sends in batches', () => {
    // Ten messages sent together every second, arriving together: nothing was held.
    const frames = Array.from({ length: 60 }, (_, i) => {
      const sent = Math.floor(i / 10) * 1000;
      return frame(1, (sent + (i % 10) * 0.2 + 1) / 1000, 'in', 'text', {
        sentAtMs: 1_800_000_000_000 + sent,
      });
    });
    expect(proxyBufferingFinding([burstStats(frames)!])).toBeNull();
  });
});

describe('secrets in recorded URLs (issue 19, item 10a)', () => {
  it('keeps query secrets and URL passwords out of the findings of a recorded session', () => {
    const token = canary('session-token');
    const password = canary('session-userinfo');
    const url = `ws://ops:${password}@127.0.0.1:1/ws?access_token=${token}`;
    const d = diagnoseSession(
      session(
        [
          conn(1, {
            url,
            open: null,
            error: { kind: 'refused', message: `connect ECONNREFUSED for ${url}` },
          }),
          conn(2, { url, open: null, error: { kind: 'tls', message: 'TLS failed: CERT_HAS_EXPIRED' } }),
          conn(3, { url, open: null, status: 401, error: { kind: 'upgrade-rejected', message: 'HTTP 401' } }),
        ],
        [],
        { origin: 'https://app.example.com', target: url },
      ),
    );
    expect(ids(d)).toEqual(expect.arrayContaining(['server-unreachable', 'tls-error', 'mixed-content']));
    expectNoSecrets({ findings: JSON.stringify(d.findings), checks: JSON.stringify(d.checks) }, [
      token,
      password,
    ]);
  });
});
