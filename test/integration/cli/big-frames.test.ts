// Byte-heavy captures with the real command: big payloads come back byte for byte, and a capture
// killed in the middle of a flood of 16 KiB frames loses none of the frames its spool acknowledged.
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SessionSummary } from '../../../shared/contract.js';
import { PAYLOAD_REF, payloadBytes, type PayloadRef } from '../../../electron/engine/sessions/frame-store.js';
import { wsServer, type Running } from '../../servers/scenarios.js';
import { cliJson, finished, spooledFrames, startCli, workspace, type Workspace } from '../../support/cli.js';
import { serverScript, startPeer, type Peer } from '../../support/processes.js';
import type { ShowJson } from '../../support/session-json.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
let peer: Peer | null = null;
let server: Running | null = null;
beforeEach(() => {
  ws = workspace();
});
afterEach(async () => {
  await peer?.stop();
  peer = null;
  await server?.close();
  server = null;
  ws.cleanup();
});

function pseudoRandom(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

it('records text and binary payloads, empty to 256 KiB, and shows them back byte for byte', async () => {
  const big = JSON.stringify({ rows: Array.from({ length: 12_000 }, (_, i) => ({ i, v: `ü${i}` })) });
  const sent: Array<string | Buffer> = [
    '',
    'héllo',
    Buffer.alloc(0),
    pseudoRandom(256 * 1024),
    big,
    pseudoRandom(16 * 1024),
  ];
  expect(Buffer.byteLength(big)).toBeGreaterThan(200 * 1024);
  server = await wsServer((sock) => {
    for (const m of sent) sock.send(m, { binary: typeof m !== 'string' });
    sock.close(1000, 'done');
  });
  const { result, json } = await cliJson<{ session: { id: number } }>([
    'capture',
    server.url,
    '--db',
    ws.db,
    '--quiet',
  ]);
  expect(result.code, result.stderr).toBe(0);
  const check = async () => {
    const shown = await cliJson<ShowJson>(['show', String(json.session.id), '--frames', '--db', ws.db]);
    const received = shown.json.frames!.filter((f) => f.direction === 'in' && f.opcode !== 'close');
    expect(received.map((f) => f.size)).toEqual(sent.map((m) => Buffer.byteLength(m)));
    received.forEach((f, i) => {
      const m = sent[i]!;
      if (typeof m === 'string') expect(f).toMatchObject({ opcode: 'text', payload: m, truncated: false });
      else expect(Buffer.from(f.payload, 'base64').equals(m)).toBe(true);
    });
  };
  await check();
  // Compaction rewrites the segment (its record headers go) and everything still reads the same.
  const compacted = await cliJson<{ segmentsRewritten: number; vacuumed: boolean }>([
    'compact',
    '--db',
    ws.db,
  ]);
  expect(compacted.result.code, compacted.result.stderr).toBe(0);
  expect(compacted.json.vacuumed).toBe(true);
  await check();
});

it('a capture of 16 KiB frames killed mid-flood keeps every frame its spool acknowledged, byte for byte', async () => {
  peer = await startPeer(process.execPath, [serverScript('flood-peer.mjs'), 'json16k', '10000000']);
  const child = startCli(['capture', `ws://127.0.0.1:${peer.port}/`, '--db', ws.db, '--quiet']);
  const exited = finished(child);
  const spool = `${ws.db}-frames/session-1.frames`;
  // Well into the flood: a few thousand big frames written, most of them not committed yet.
  await until(
    'the spool to fill',
    () => existsSync(spool) && statSync(spool).size > 96 * 1024 * 1024,
    60_000,
  );
  child.kill('SIGKILL');
  expect((await exited).code).toBeNull();
  const acknowledged = await spooledFrames(spool);
  expect(acknowledged).toBeGreaterThan(5000);

  const { result, json } = await cliJson<SessionSummary[]>(['sessions', '--db', ws.db]);
  expect(result.code, result.stderr).toBe(0);
  expect(json[0]).toMatchObject({ id: 1, status: 'interrupted', frames: acknowledged });

  const db = new Database(ws.db, { readonly: true });
  try {
    let n = 0;
    for (const row of db
      .prepare(
        `SELECT seq, size, ${PAYLOAD_REF()} FROM frame WHERE session_id = 1 AND opcode = 1 ORDER BY seq`,
      )
      .iterate()) {
      const r = row as PayloadRef & { seq: number; size: number };
      n++;
      const payload = payloadBytes(db, r);
      expect(r.size).toBe(16 * 1024);
      expect(payload.length).toBe(16 * 1024);
      // Frame n is the peer's n-th message, whole: its JSON parses and names n.
      expect((JSON.parse(payload.toString('utf8')) as { seq: number }).seq).toBe(n);
    }
    expect(n).toBe(acknowledged);
  } finally {
    db.close();
  }
});
