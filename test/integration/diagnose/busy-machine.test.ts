// A probe on a machine too busy to run Frameline promptly: a healthy endpoint is not reported as
// slow because this process was not scheduled while its answers waited. The endpoint here runs in
// the test's own process and blocks it for 200 ms before each answer, so every round trip spans a
// stall of this process — the way a CPU hog beside the probe makes it. A slow endpoint in another
// process is still reported (probe-behaviour.test.ts: echoes delayed 150 ms).
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ProbeRequestSchema } from '../../../shared/contract/diagnose.js';
import { openEngine } from '../../../electron/engine/context.js';
import { runProbe } from '../../../electron/engine/diagnose/probe.js';
import { workspace, type Workspace } from '../../support/cli.js';

const STALL_MS = 200;

function block(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // this process does not run anything else meanwhile
  }
}

let ws: Workspace;
let ctx: ReturnType<typeof openEngine>;
let server: WebSocketServer;

beforeEach(async () => {
  ws = workspace();
  ctx = openEngine(ws.db);
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) => {
    socket.on('message', (data, binary) => {
      block(STALL_MS);
      socket.send(data, { binary });
    });
    // ws has already queued the pong when 'ping' is emitted: the block holds it back all the same.
    socket.on('ping', () => block(STALL_MS));
  });
});

afterEach(async () => {
  for (const c of server.clients) c.terminate();
  await new Promise((resolve) => server.close(resolve));
  ctx.close();
  ws.cleanup();
});

it('does not call a healthy endpoint slow when this machine stalled during every round trip', async () => {
  const port = (server.address() as AddressInfo).port;
  const report = await runProbe(
    ctx,
    ProbeRequestSchema.parse({ url: `ws://127.0.0.1:${port}/`, echo: 3, idleLimitSeconds: 1 }),
  );
  const echo = report.checks.find((c) => c.name === 'echo')!;
  const ping = report.checks.find((c) => c.name === 'ping')!;
  expect(echo.ok).toBe(true);
  expect(ping.ok).toBe(true);
  // The stalls are on record, as this machine's time, not the endpoint's.
  const evidence = (c: typeof echo) => c.detail as { localStallMs?: number; p95Ms?: number };
  expect(evidence(echo).localStallMs).toBeGreaterThanOrEqual(3 * (STALL_MS - 20));
  expect(evidence(echo).p95Ms).toBeLessThan(100);
  expect(evidence(ping).localStallMs).toBeGreaterThanOrEqual(3 * (STALL_MS - 20));
  expect(report.findings.map((f) => f.id)).not.toContain('high-latency');
});
