// The probe's interpretation on observations built by hand: every finding a probe can raise, which
// layer fails with --direct, and what a healthy endpoint looks like.
import { describe, expect, it } from 'vitest';
import {
  accepted,
  endpointChecks,
  interpretProbe,
  type EndpointObservation,
  type HandshakeObservation,
  type IdleObservation,
  type ProbeObservation,
  type ProtocolObservation,
} from '../../../shared/diagnosis/probe.js';
import { describeCheck } from '../../../shared/diagnosis/describe.js';
import { FINDING_IDS } from '../../../shared/findings.js';
import { diagnoseSession } from '../../../shared/diagnosis/session.js';
import { fixtureData, readFixture } from '../../fixtures/diagnose/fixture.js';
import { canary, expectNoSecrets } from '../../support/secrets.js';

const URL_ = 'ws://127.0.0.1:8080/ws';

function handshake(o: Partial<HandshakeObservation> = {}): HandshakeObservation {
  return {
    origin: null,
    ms: 2,
    opened: true,
    status: 101,
    headers: {},
    bodyHead: null,
    error: null,
    earlyClose: null,
    ...o,
  };
}

/** A healthy endpoint: pings every second, echoes fast, held to the limit. */
function healthy(o: Partial<EndpointObservation> = {}): EndpointObservation {
  return {
    url: URL_,
    dns: { ms: 0, host: '127.0.0.1', literal: true, addresses: ['127.0.0.1'], error: null },
    tcp: { ms: 0.3, port: 8080, address: '127.0.0.1', failed: [], error: null },
    tls: null,
    health: {
      ms: 1,
      url: 'http://127.0.0.1:8080/health',
      status: 200,
      headers: {},
      bodyHead: 'ok',
      error: null,
    },
    upgrade: handshake(),
    origins: [
      { ...handshake(), role: 'none' },
      { ...handshake({ origin: 'https://frameline-probe.invalid' }), role: 'foreign' },
    ],
    echo: {
      requested: 3,
      sent: 3,
      matched: 3,
      rttMs: [1, 2, 3],
      otherMessages: 0,
      unexpected: [],
      waitedMs: 6,
    },
    ping: { sent: 3, answered: 3, late: 0, rttMs: [0.5, 0.6, 0.7], timeoutMs: 5000 },
    activeClose: null,
    idle: {
      limitSeconds: 10,
      livedSeconds: 10,
      endedBy: 'limit',
      close: null,
      serverPingsAt: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      messages: [],
    },
    ...o,
  };
}

function probe(target: EndpointObservation, extra: Partial<ProbeObservation> = {}) {
  return interpretProbe({ target, direct: null, pageOrigin: null, origins: [], ...extra });
}

const ids = (r: { findings: Array<{ id: string }> }) => r.findings.map((f) => f.id);

describe('probe interpretation', () => {
  it('finds nothing wrong with a healthy endpoint, and every check is ok', () => {
    const r = probe(healthy());
    expect(r.findings).toEqual([]);
    expect(r.checks.every((c) => c.ok)).toBe(true);
    expect(r.checks.map((c) => c.name)).toEqual([
      'dns',
      'tcp',
      'health',
      'upgrade',
      'origin',
      'echo',
      'ping',
      'heartbeat',
      'idle',
    ]);
    expect(describeCheck(r.checks.find((c) => c.name === 'heartbeat')!)).toBe(
      'server pings every 1 s (9 in 10 s)',
    );
  });

  it('stops at an unreachable address', () => {
    const r = probe({
      ...healthy(),
      tcp: {
        ms: 0.2,
        port: 8080,
        address: null,
        failed: [{ address: '127.0.0.1', code: 'ECONNREFUSED' }],
        error: { code: 'ECONNREFUSED', message: 'refused' },
      },
    });
    expect(ids(r)).toEqual(['server-unreachable']);
  });

  it('reports an untrusted, expired or soon-expiring certificate', () => {
    const leaf = {
      subject: 'example.com',
      issuer: 'Example CA',
      validFrom: '2020-01-01T00:00:00.000Z',
      validTo: '2020-01-02T00:00:00.000Z',
      daysLeft: -2000,
      selfSigned: false,
      altNames: 'DNS:example.com',
    };
    const tls = {
      ms: 3,
      servername: 'example.com',
      authorized: false,
      authorizationError: 'CERT_HAS_EXPIRED',
      hostnameError: null,
      protocol: 'TLSv1.3',
      alpn: 'http/1.1',
      cipher: 'TLS_AES_256_GCM_SHA384',
      chain: [leaf],
      error: null,
    };
    const expired = probe(healthy({ url: 'wss://example.com/ws', tls }));
    expect(expired.findings[0]).toMatchObject({
      id: 'tls-error',
      evidence: { expired: true, code: 'CERT_HAS_EXPIRED' },
    });
    const soon = probe(
      healthy({
        url: 'wss://example.com/ws',
        tls: { ...tls, authorized: true, authorizationError: null, chain: [{ ...leaf, daysLeft: 5 }] },
      }),
    );
    expect(soon.findings[0]).toMatchObject({
      id: 'tls-error',
      severity: 'warning',
      evidence: { stage: 'expiry', daysLeft: 5 },
    });
  });

  it('tells an Origin refusal from a refused upgrade', () => {
    const refused = handshake({ opened: false, status: 403, origin: 'https://admin.example.com' });
    const r = probe(
      healthy({
        origins: [
          { ...handshake({ opened: false, status: 403 }), role: 'none' },
          { ...handshake({ origin: 'https://app.example.com' }), role: 'given' },
          { ...refused, role: 'given' },
          { ...handshake({ opened: false, status: 403, origin: 'https://x.invalid' }), role: 'foreign' },
        ],
      }),
      { origins: ['https://app.example.com', 'https://admin.example.com'] },
    );
    expect(ids(r)).toEqual(['origin-rejected']);
    expect(r.findings[0]!.evidence).toMatchObject({
      refused: ['https://admin.example.com'],
      accepted: ['https://app.example.com'],
      status: 403,
    });
    expect(accepted(handshake({ earlyClose: { code: 1008, reason: 'origin' } }))).toBe(false);

    const all = probe(
      healthy({
        upgrade: handshake({ opened: false, status: 403, bodyHead: 'forbidden' }),
        origins: [{ ...handshake({ opened: false, status: 403 }), role: 'none' }],
        echo: null,
        ping: null,
        idle: null,
      }),
    );
    expect(ids(all)).toEqual(['upgrade-rejected']);
  });

  it('blames the proxy when the upgrade fails through it and works direct', () => {
    const proxied = healthy({
      upgrade: handshake({ opened: false, status: 400, headers: { Server: 'Python/3.11 websockets/10.4' } }),
      origins: [],
      echo: null,
      ping: null,
      idle: null,
    });
    const r = interpretProbe({
      target: proxied,
      direct: healthy({ url: 'ws://10.0.0.5:9000/ws' }),
      pageOrigin: null,
      origins: [],
    });
    expect(r.findings[0]).toMatchObject({
      id: 'proxy-missing-upgrade',
      evidence: { status: 400, directStatus: 101, layer: 'proxy' },
    });
    expect(r.checks.find((c) => c.name === 'layers')!.detail).toMatchObject({ failing: 'proxy' });
    expect(r.checks.some((c) => c.name === 'direct.upgrade' && c.ok)).toBe(true);
  });

  it('measures an idle drop and says the heartbeat is missing or too slow', () => {
    const cut = {
      code: 1006,
      reason: '',
      closedBy: 'network' as const,
      afterSeconds: 60.02,
      idleSeconds: 60.02,
    };
    const none = probe(
      healthy({
        idle: {
          limitSeconds: 75,
          livedSeconds: 60.02,
          endedBy: 'close',
          close: cut,
          serverPingsAt: [],
          messages: [],
        },
      }),
    );
    expect(ids(none)).toEqual(['idle-timeout', 'no-heartbeat']);
    expect(none.findings[0]!.evidence).toMatchObject({ idleSeconds: 60, closeCode: 1006 });

    // A server that closes idle connections itself (1001 after 30 s of silence): both findings.
    const serverSide = probe(
      healthy({
        idle: {
          limitSeconds: 75,
          livedSeconds: 30,
          endedBy: 'close',
          close: { code: 1001, reason: 'idle', closedBy: 'server', afterSeconds: 30, idleSeconds: 30 },
          serverPingsAt: [],
          messages: [],
        },
      }),
    );
    expect(ids(serverSide)).toEqual(['idle-timeout', 'no-heartbeat', 'server-close']);
    expect(serverSide.findings[0]!.evidence).toMatchObject({
      idleSeconds: 30,
      closeCode: 1001,
      closedBy: 'server',
    });

    // Pinged every 10 s, dropped 2 s after the last ping: not an idle timeout, a drop in use.
    const pinged = probe(
      healthy({
        idle: {
          limitSeconds: 75,
          livedSeconds: 32,
          endedBy: 'close',
          close: { ...cut, afterSeconds: 32, idleSeconds: 2 },
          serverPingsAt: [10, 20, 30],
          messages: [],
        },
      }),
    );
    expect(ids(pinged)).toEqual(['abnormal-closure']);
  });

  it('reports missing pongs, slow echoes, silence and mid-conversation drops', () => {
    expect(
      probe(healthy({ ping: { sent: 1, answered: 0, late: 0, rttMs: [], timeoutMs: 5000 } })).findings[0],
    ).toMatchObject({
      id: 'heartbeat-timeout',
      severity: 'critical',
    });
    const slow = probe(
      healthy({
        echo: {
          requested: 4,
          sent: 4,
          matched: 4,
          rttMs: [150, 160, 155, 170],
          otherMessages: 0,
          unexpected: [],
          waitedMs: 640,
        },
      }),
    );
    expect(slow.findings[0]).toMatchObject({
      id: 'high-latency',
      evidence: { source: 'echo', p95Ms: 168.5 },
    });
    const silent = probe(
      healthy({
        echo: {
          requested: 3,
          sent: 1,
          matched: 0,
          rttMs: [],
          otherMessages: 2,
          unexpected: ['{"type":"welcome"}'],
          waitedMs: 5000,
        },
      }),
    );
    expect(silent.findings[0]).toMatchObject({
      id: 'no-messages',
      evidence: { received: 2, unexpected: ['{"type":"welcome"}'] },
    });
    const dropped = probe(
      healthy({
        activeClose: { code: 1006, reason: '', closedBy: 'network', afterSeconds: 0.2, idleSeconds: 0.01 },
      }),
    );
    expect(ids(dropped)).toEqual(['abnormal-closure']);
    const closed = probe(
      healthy({
        activeClose: { code: 1011, reason: 'boom', closedBy: 'server', afterSeconds: 0.2, idleSeconds: 0 },
      }),
    );
    expect(closed.findings[0]).toMatchObject({
      id: 'server-close',
      evidence: { code: 1011, reason: 'boom' },
    });
  });

  it('flags ws:// from an https page', () => {
    const r = probe(healthy(), { pageOrigin: 'https://app.example.com' });
    expect(ids(r)).toEqual(['mixed-content']);
    expect(r.checks[0]).toMatchObject({ name: 'mixed-content', ok: false });
    expect(endpointChecks(healthy(), 'direct.').every((c) => c.name.startsWith('direct.'))).toBe(true);
  });
});

describe('every failed check is explained', () => {
  it('raises no-heartbeat when the server sent no ping, even if it greeted once during the idle hold', () => {
    const greeted = probe(
      healthy({
        idle: {
          limitSeconds: 40,
          livedSeconds: 40,
          endedBy: 'limit',
          close: null,
          serverPingsAt: [],
          messages: [{ connection: 1, ts: 1_800_000_000_500_000, direction: 'in', opcode: 'text', size: 20 }],
        },
      }),
    );
    expect(greeted.checks.find((c) => c.name === 'heartbeat')).toMatchObject({ ok: false });
    expect(ids(greeted)).toEqual(['no-heartbeat']);
    expect(greeted.findings[0]!.summary).toMatch(/no ping/);
  });

  it('calls a server that streams without pinging a hint, and still explains the check', () => {
    const t0 = 1_800_000_000_000_000;
    const streaming = probe(
      healthy({
        idle: {
          limitSeconds: 40,
          livedSeconds: 40,
          endedBy: 'limit',
          close: null,
          serverPingsAt: [],
          messages: Array.from({ length: 10 }, (_, i) => ({
            connection: 1,
            ts: t0 + i * 4_000_000,
            direction: 'in' as const,
            opcode: 'text' as const,
            size: 20,
          })),
        },
      }),
    );
    expect(streaming.checks.find((c) => c.name === 'heartbeat')).toMatchObject({ ok: false });
    expect(streaming.findings.map((f) => [f.id, f.severity])).toEqual([['no-heartbeat', 'info']]);
  });
});

/** An idle hold of `lived` seconds that no ping reached, ended at the limit. */
function quietHold(lived: number, o: Partial<IdleObservation> = {}): IdleObservation {
  return {
    limitSeconds: lived,
    livedSeconds: lived,
    endedBy: 'limit',
    close: null,
    serverPingsAt: [],
    messages: [],
    ...o,
  };
}

function spoken(o: Partial<ProtocolObservation> = {}): ProtocolObservation {
  return {
    name: 'socket.io',
    offered: [],
    subprotocol: null,
    ready: true,
    refusal: null,
    heartbeat: { from: 'server', intervalSeconds: 2, timeoutSeconds: 1.5 },
    unanswered: 0,
    ...o,
  };
}

/** How a graphql-ws server answers a connection without its subprotocol: 4406 at once, on every one. */
const closed4406 = { code: 4406, reason: 'Subprotocol not acceptable' };

describe('heartbeats: a verdict only from a long enough window', () => {
  it('takes the protocol’s own heartbeat (Engine.IO pings) as the server’s, at its announced interval', () => {
    const r = probe(healthy({ idle: quietHold(6, { protocolBeatsAt: [2, 4, 6] }), protocol: spoken() }));
    expect(r.findings).toEqual([]);
    const heartbeat = r.checks.find((c) => c.name === 'heartbeat')!;
    expect(heartbeat).toMatchObject({
      ok: true,
      detail: { protocol: 'socket.io', protocolBeats: 3, intervalSeconds: 2, verdict: 'seen' },
    });
    expect(describeCheck(heartbeat)).toBe('socket.io heartbeat every 2 s (3 in 6 s)');
  });

  it('says "no ping observed" for a plain socket held less than 35 s, and no-heartbeat from 35 s on', () => {
    const short = probe(healthy({ idle: quietHold(3) }));
    expect(short.findings).toEqual([]);
    const check = short.checks.find((c) => c.name === 'heartbeat')!;
    expect(check).toMatchObject({ ok: true, detail: { verdict: 'not-observed', neededSeconds: 35 } });
    expect(describeCheck(check)).toBe('no ping observed in 3 s (not a verdict: that needs 35 s)');

    const long = probe(healthy({ idle: quietHold(35) }));
    expect(ids(long)).toEqual(['no-heartbeat']);
    expect(long.checks.find((c) => c.name === 'heartbeat')).toMatchObject({ ok: false });
  });

  it('judges a protocol’s heartbeat over one and a half of its intervals', () => {
    const silent = spoken({ heartbeat: { from: 'server', intervalSeconds: 20, timeoutSeconds: null } });
    expect(ids(probe(healthy({ idle: quietHold(25), protocol: silent })))).toEqual([]);
    expect(ids(probe(healthy({ idle: quietHold(30), protocol: silent })))).toEqual(['no-heartbeat']);
  });

  it('never expects a server heartbeat where the client keeps it (MQTT keep-alive)', () => {
    const mqtt = spoken({
      name: 'mqtt',
      heartbeat: { from: 'client', intervalSeconds: 60, timeoutSeconds: null },
    });
    const r = probe(healthy({ idle: quietHold(90), protocol: mqtt }));
    expect(r.findings).toEqual([]);
    expect(r.checks.find((c) => c.name === 'heartbeat')).toMatchObject({
      ok: true,
      detail: { verdict: 'client' },
    });
  });

  it('still concludes from a shorter hold when silence cut the connection', () => {
    const cut = { code: 1006, reason: '', closedBy: 'network' as const, afterSeconds: 10, idleSeconds: 10 };
    const r = probe(healthy({ idle: quietHold(10, { endedBy: 'close', close: cut, limitSeconds: 75 }) }));
    expect(ids(r)).toEqual(['idle-timeout', 'no-heartbeat']);
    expect(r.checks.find((c) => c.name === 'heartbeat')).toMatchObject({
      ok: false,
      detail: { verdict: 'missing' },
    });
  });
});

describe('the protocol on top of the socket', () => {
  it('reads a 4406 right after the open as subprotocol-refused, not as Origins refused or a missing heartbeat', () => {
    const r = probe(
      healthy({
        origins: [
          { ...handshake({ earlyClose: closed4406 }), role: 'none' },
          {
            ...handshake({ origin: 'https://frameline-probe.invalid', earlyClose: closed4406 }),
            role: 'foreign',
          },
        ],
        echo: null,
        ping: null,
        activeClose: { ...closed4406, closedBy: 'server', afterSeconds: 0, idleSeconds: 0 },
        idle: quietHold(0, {
          endedBy: 'close',
          close: { ...closed4406, closedBy: 'server', afterSeconds: 0, idleSeconds: 0 },
        }),
        offered: [],
      }),
      { origins: [] },
    );
    expect(ids(r)).toEqual(['subprotocol-refused']);
    // Without a protocol known, a 4406 whose reason says nothing of a subprotocol is just a close.
    const unnamed = {
      code: 4406,
      reason: 'Go away',
      closedBy: 'server' as const,
      afterSeconds: 0,
      idleSeconds: 0,
    };
    expect(ids(probe(healthy({ activeClose: unnamed })))).toEqual(['server-close']);
    expect(r.findings[0]!.evidence).toMatchObject({
      subprotocol: 'graphql-transport-ws',
      offered: [],
      closeCode: 4406,
    });
    expect(r.findings[0]!.fix).toContain('--subprotocol graphql-transport-ws');
    expect(r.checks.find((c) => c.name === 'origin')).toMatchObject({
      ok: true,
      detail: { refused: [], sameForEvery: { closeCode: 4406 } },
    });
    expect(r.checks.find((c) => c.name === 'heartbeat')).toMatchObject({
      detail: { verdict: 'not-observed' },
    });
  });

  it('names the spoken protocol’s own subprotocol, and a 101 without one', () => {
    const stomp = probe(
      healthy({
        activeClose: { ...closed4406, closedBy: 'server', afterSeconds: 0, idleSeconds: 0 },
        protocol: spoken({ name: 'stomp', heartbeat: null, ready: false }),
      }),
    );
    expect(stomp.findings.find((f) => f.id === 'subprotocol-refused')!.evidence).toMatchObject({
      subprotocol: 'v12.stomp',
    });
    const none = probe(
      healthy({
        upgrade: handshake({
          opened: false,
          error: { kind: 'protocol', message: 'Server sent no subprotocol' },
        }),
        origins: [],
        echo: null,
        ping: null,
        idle: null,
        offered: ['mqtt'],
      }),
    );
    expect(ids(none)).toEqual(['subprotocol-refused']);
    expect(none.findings[0]!.evidence).toMatchObject({ offered: ['mqtt'], closeCode: null });
  });

  it('reads a refused opening as auth-refused: said in a message, or closed 4401/4403; not any close', () => {
    const byMessage = probe(
      healthy({
        protocol: spoken({
          name: 'mqtt',
          ready: false,
          refusal: {
            message: 'mqtt: the broker refused CONNECT: bad user name or password (CONNACK code 4)',
            by: 'message',
            closeCode: null,
          },
        }),
      }),
    );
    expect(ids(byMessage)).toEqual(['auth-refused']);
    expect(byMessage.findings[0]!.evidence).toMatchObject({ protocol: 'mqtt', closeCode: null });

    const forbidden = { code: 4403, reason: 'Forbidden' };
    const byClose = probe(
      healthy({
        activeClose: { ...forbidden, closedBy: 'server', afterSeconds: 0.01, idleSeconds: 0 },
        protocol: spoken({
          name: 'graphql-ws',
          ready: false,
          heartbeat: null,
          refusal: {
            message: 'graphql-ws: the server closed 4403 Forbidden before connection_ack',
            by: 'close',
            closeCode: 4403,
          },
        }),
      }),
    );
    expect(ids(byClose)).toEqual(['auth-refused']);
    expect(byClose.findings[0]!.evidence).toMatchObject({ protocol: 'graphql-ws', closeCode: 4403 });

    const timeout = { code: 4408, reason: 'Connection initialisation timeout' };
    const notAuth = probe(
      healthy({
        activeClose: { ...timeout, closedBy: 'server', afterSeconds: 3, idleSeconds: 3 },
        protocol: spoken({
          name: 'graphql-ws',
          ready: false,
          heartbeat: null,
          refusal: {
            message: 'graphql-ws: the server closed 4408 before connection_ack',
            by: 'close',
            closeCode: 4408,
          },
        }),
      }),
    );
    expect(ids(notAuth)).toEqual(['server-close']);
  });

  it('says Engine.IO pings went unanswered on a socket that spoke no protocol and was dropped', () => {
    const r = probe(
      healthy({
        idle: quietHold(3.5, {
          limitSeconds: 6,
          endedBy: 'close',
          close: { code: 1005, reason: '', closedBy: 'server', afterSeconds: 3.5, idleSeconds: 1.5 },
          unspokenEngineIo: { pingInterval: 2000, pingTimeout: 1500 },
        }),
      }),
    );
    expect(ids(r)).toEqual(['app-heartbeat-unanswered']);
    expect(r.findings[0]!.evidence).toMatchObject({
      protocol: 'socket.io',
      intervalSeconds: 2,
      timeoutSeconds: 1.5,
    });
  });
});

describe('coverage of the catalogue', () => {
  it('every finding id is reached by the probe rules or a recorded fixture', () => {
    const reached = new Set<string>();
    const cut = { code: 1006, reason: '', closedBy: 'network' as const, afterSeconds: 5, idleSeconds: 5 };
    const observations: EndpointObservation[] = [
      healthy({
        tcp: {
          ms: 1,
          port: 1,
          address: null,
          failed: [],
          error: { code: 'ECONNREFUSED', message: 'refused' },
        },
      }),
      healthy({
        upgrade: handshake({ opened: false, status: 426 }),
        origins: [],
        idle: null,
        echo: null,
        ping: null,
      }),
      healthy({
        upgrade: handshake({ opened: false, status: 404 }),
        origins: [],
        idle: null,
        echo: null,
        ping: null,
      }),
      healthy({
        idle: {
          limitSeconds: 10,
          livedSeconds: 5,
          endedBy: 'close',
          close: cut,
          serverPingsAt: [],
          messages: [],
        },
      }),
      healthy({ ping: { sent: 1, answered: 0, late: 0, rttMs: [], timeoutMs: 5000 } }),
      healthy({
        echo: {
          requested: 3,
          sent: 1,
          matched: 0,
          rttMs: [],
          otherMessages: 0,
          unexpected: [],
          waitedMs: 5000,
        },
      }),
    ];
    observations.push(
      healthy({
        activeClose: { ...closed4406, closedBy: 'server', afterSeconds: 0, idleSeconds: 0 },
      }),
      healthy({
        protocol: spoken({ ready: false, refusal: { message: 'refused', by: 'message', closeCode: null } }),
      }),
      healthy({
        idle: quietHold(3, {
          endedBy: 'close',
          close: { code: 1005, reason: '', closedBy: 'server', afterSeconds: 3, idleSeconds: 1 },
          unspokenEngineIo: { pingInterval: 1000, pingTimeout: 500 },
        }),
      }),
    );
    for (const o of observations)
      for (const f of probe(o, { pageOrigin: 'https://a.example' }).findings) reached.add(f.id);
    for (const name of [
      'reconnect-storm',
      'buffered-bursts',
      'mixed-close-codes',
      'slow-responses',
      'masked-frames',
      'ping-flood',
      'socketio-bare',
      'graphql-forbidden',
      'graphql-no-subprotocol',
      'mqtt-acl',
    ] as const)
      for (const f of diagnoseSession(fixtureData(readFixture(name))).findings) reached.add(f.id);
    reached.add('tls-error').add('origin-rejected'); // asserted above
    expect([...FINDING_IDS].filter((id) => !reached.has(id))).toEqual([]);
  });

  it('the healthy fixture raises no warning', () => {
    const d = diagnoseSession(fixtureData(readFixture('healthy-echo')));
    expect(d.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('secrets in the probed URLs (issue 19, item 10a)', () => {
  it('keeps query secrets and URL passwords out of every finding and check, through a proxy and direct', () => {
    const token = canary('probe-token');
    const password = canary('probe-userinfo');
    const backendKey = canary('backend-key');
    const target = `ws://ops:${password}@127.0.0.1:8080/ws?token=${token}`;
    const backend = `ws://10.0.0.5:9000/ws?api_key=${backendKey}`;
    const proxied = healthy({
      url: target,
      upgrade: handshake({ opened: false, status: 400, headers: { Server: 'Python/3.11 websockets/10.4' } }),
      origins: [],
      echo: null,
      ping: null,
      idle: null,
    });
    const r = interpretProbe({
      target: proxied,
      direct: healthy({ url: backend }),
      pageOrigin: 'https://app.example.com',
      origins: [],
    });
    expect(ids(r)).toEqual(expect.arrayContaining(['proxy-missing-upgrade', 'mixed-content']));
    expectNoSecrets(
      {
        findings: JSON.stringify(r.findings),
        checks: JSON.stringify(r.checks),
        described: r.checks.map((c) => describeCheck(c)).join('\n'),
      },
      [token, password, backendKey],
    );
    expect(r.findings.find((f) => f.id === 'proxy-missing-upgrade')!.evidence).toMatchObject({
      url: 'ws://ops:***@127.0.0.1:8080/ws?token=***',
      directUrl: 'ws://10.0.0.5:9000/ws?api_key=***',
    });
  });
});
