// Sessions recorded the way a user records them (the `frameline capture` command) against scenario
// servers on 127.0.0.1: a gateway that fails with 1011, and a flaky service that a reconnecting
// capture keeps coming back to until it is gone for good, and a session a Python peer refuses,
// drops and leaves unanswered (for the scorecard).
import { expect } from 'vitest';
import { wsServer, type WsScenario } from '../servers/scenarios.js';
import { cli, cliJson } from './cli.js';
import { PYTHON, serverScript, startPeer } from './processes.js';

/** Prices a gateway pushes before it gives up; `margin-call` appears in exactly one of them. */
export const PRICE_MESSAGES = [
  { type: 'quote', symbol: 'FRML', bid: 101.25, ask: 101.27 },
  { type: 'quote', symbol: 'WSKT', bid: 48.1, ask: 48.12 },
  { type: 'quote', symbol: 'FRML', bid: 101.26, ask: 101.29 },
  { type: 'alert', symbol: 'WSKT', level: 'margin-call', account: 'acct-7731' },
  { type: 'quote', symbol: 'FRML', bid: 101.3, ask: 101.31 },
  { type: 'quote', symbol: 'PING', bid: 7.01, ask: 7.02 },
];

/** A gateway that answers a subscription with a few quotes, then fails with 1011. */
export async function failingGateway(): Promise<WsScenario> {
  return wsServer((ws) => {
    ws.on('message', (data) => {
      ws.send(data.toString());
      PRICE_MESSAGES.forEach((m, i) => setTimeout(() => ws.send(JSON.stringify(m)), 20 * (i + 1)));
      setTimeout(() => ws.close(1011, 'pricing backend unavailable'), 20 * (PRICE_MESSAGES.length + 2));
    });
  });
}

/**
 * A service that ends each connection differently: a deploy (1001), a crash (no close frame: 1006),
 * an expired token (4001); after the third it stops listening, so later attempts are refused.
 */
export async function flakyService(lifetimeMs = 250): Promise<WsScenario> {
  let n = 0;
  const scenario: WsScenario = await wsServer((ws) => {
    const k = ++n;
    const tick = setInterval(
      () => ws.send(JSON.stringify({ type: 'heartbeat', connection: k, at: Date.now() })),
      25,
    );
    ws.on('close', () => clearInterval(tick));
    setTimeout(() => {
      clearInterval(tick);
      if (k === 1) ws.close(1001, 'deploy: draining pod');
      else if (k === 2) ws.terminate();
      else {
        ws.close(4001, 'token expired');
        ws.once('close', () => void scenario.close());
      }
    }, lifetimeMs);
  });
  return scenario;
}

export interface Recorded {
  id: number;
  name: string;
}

async function sessionId(db: string, name: string): Promise<number> {
  const { json } = await cliJson<Array<{ id: number; name: string }>>(['sessions', '--db', db]);
  const found = json.find((s) => s.name === name);
  if (!found) throw new Error(`no session named "${name}" in ${db}`);
  return found.id;
}

/** Records the failing gateway: one connection, a subscription, six quotes, a 1011 close. */
export async function recordGateway(db: string, name = 'prices gateway'): Promise<Recorded> {
  const server = await failingGateway();
  try {
    const result = await cli([
      'capture',
      `${server.url}/prices`,
      '--send',
      '{"op":"subscribe","symbols":["FRML","WSKT","PING"]}',
      '--name',
      name,
      '--quiet',
      '--db',
      db,
    ]);
    expect(result.stderr).toMatch(/1011/);
    return { id: await sessionId(db, name), name };
  } finally {
    await server.close();
  }
}

/** Records the flaky service with --reconnect: three connections that close, two refused attempts. */
export async function recordFlaky(
  db: string,
  name = 'orders feed (flaky)',
  lifetimeMs = 250,
): Promise<Recorded> {
  const server = await flakyService(lifetimeMs);
  try {
    const result = await cli([
      'capture',
      `${server.url}/orders`,
      '--reconnect',
      '--reconnect-base',
      '120',
      '--reconnect-max',
      '400',
      '--reconnect-attempts',
      '4',
      '--name',
      name,
      '--quiet',
      '--db',
      db,
    ]);
    expect(result.stderr).toMatch(/4001/);
    return { id: await sessionId(db, name), name };
  } finally {
    await server.close();
  }
}

/**
 * A session whose outcome the Python `websockets` peer decides: upgrades 2 and 4 (and any after 5)
 * refused with 503, the first message left unanswered, every connection closed with 1011 after its
 * message. The capture sends {"id":1} on each connection and reconnects at once, giving up after 3
 * failures in a row: connection 1 opens (unanswered), 2 is refused, 3 opens (answered), 4 is
 * refused, then it gives up. The peer is stopped once the session is recorded.
 */
export async function recordRefusals(db: string): Promise<number> {
  const peer = await startPeer(PYTHON, [
    serverScript('python_ws.py'),
    '--refuse',
    '2,4,6-',
    '--close',
    '1011',
    '--unanswered',
    '1',
  ]);
  try {
    const r = await cli(
      [
        'capture',
        `ws://127.0.0.1:${peer.port}/`,
        '--send',
        '{"id":1}',
        '--reconnect',
        '--reconnect-base',
        '20',
        '--reconnect-jitter',
        '0',
        '--reconnect-attempts',
        '3',
        '--quiet',
        '--db',
        db,
      ],
      {},
      60_000,
    );
    expect(r.code, r.stderr).toBe(0);
    return Number(/session (\d+)/.exec(r.stdout)![1]);
  } finally {
    await peer.stop();
  }
}
