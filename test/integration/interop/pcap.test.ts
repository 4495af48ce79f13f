// Packet captures imported (`frameline import FILE.pcap`): real traffic captured here with tcpdump on
// the loopback interface — a Python `websockets` server and client (an independent implementation)
// exchanging known messages plain, with permessage-deflate, and over TLS with the client's key log —
// read back message by message against what the peers say they sent and received; and a connection
// reset by its server (a Node socket's resetAndDestroy) recorded as closed 1006 with a tcp-reset
// event that diagnose counts as an abnormal closure; and HAProxy resetting its client at its tunnel
// timeout (`option nolinger`: a FIN, then a reset), which diagnose names with the proxy's address.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { selfSigned } from '../../support/certs.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { PYTHON, serverScript, startPeer } from '../../support/processes.js';
import { captured, exited, messages, packets, type Imported } from '../../support/pcap.js';
import { until } from '../../support/wait.js';
import { freePort, startHaproxy } from '../../servers/proxies.js';
import type { ShowJson } from '../../support/session-json.js';

interface Said {
  url: string;
  sent: { type: 'text' | 'binary'; data: string }[];
  received: { type: 'text' | 'binary'; data: string }[];
  extensions: string;
}

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.cleanup());

/** The Python peers' conversation on `port`; what the client says it sent and received. */
async function conversation(port: number, flags: string[]): Promise<Said> {
  const child = spawn(PYTHON, [serverScript('pcap_traffic.py'), '--port', String(port), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await exited(child);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as Said;
}

/** The 101 a hand-written server answers an upgrade request with. */
function upgradeAnswer(request: string): string {
  const key = /sec-websocket-key: *(\S+)/i.exec(request)?.[1];
  if (key === undefined) return 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

const show = async (id: number) =>
  (await cliJson<ShowJson>(['show', String(id), '--frames', '--db', ws.db])).json;

function events(sessionId: number) {
  const db = new Database(ws.db, { readonly: true });
  try {
    return db
      .prepare('SELECT kind, detail FROM event WHERE session_id = ? ORDER BY ts, id')
      .all(sessionId)
      .map((e) => {
        const row = e as { kind: string; detail: string };
        return { kind: row.kind, detail: JSON.parse(row.detail) as Record<string, unknown> };
      });
  } finally {
    db.close();
  }
}

/** Imports a conversation's capture and checks every message against what the client said. */
async function importedConversation(name: string, flags: string[], keylog?: string) {
  const port = await freePort();
  const { file, said } = await captured(ws.dir, name, port, () => conversation(port, flags));
  const r = await cliJson<Imported>(['import', file, ...(keylog ? ['--keylog', keylog] : []), '--db', ws.db]);
  expect(r.result.code, r.result.stderr).toBe(0);
  // A small capture is imported in a moment: no progress lines.
  expect(r.result.stderr).toBe('');
  expect(r.json).toMatchObject({ connections: 1, skipped: 0 });
  expect(r.json.tcpEvents.missing).toBe(0);
  const s = await show(r.json.sessionId);
  expect(s.session.kind).toBe('pcap');
  expect(messages(s, 'out')).toEqual(said.sent);
  expect(messages(s, 'in')).toEqual(said.received);
  // Five messages each way, then a close each way.
  expect(r.json.frames).toBe(said.sent.length + said.received.length + 2);
  const c = s.connections[0]!;
  expect(c).toMatchObject({
    status: 101,
    closeCode: 1000,
    closeReason: 'done',
    closedBy: 'client',
    error: null,
  });
  expect(c.url).toBe(`${flags.includes('--tls') ? 'wss' : 'ws'}://127.0.0.1:${port}/feed?x=1`);
  expect(c.requestHeaders['User-Agent']).toMatch(/websockets/);
  expect(c.extensions ?? '').toBe(said.extensions);
  expect(c.timings.upgradeMs).toBeGreaterThanOrEqual(0);
  // Every frame at the time of its packet, within the connection's life.
  const times = s.frames!.map((f) => Date.parse(f.ts));
  expect(times).toEqual([...times].sort((a, b) => a - b));
  expect(times[0]!).toBeGreaterThanOrEqual(Date.parse(c.openedAt!));
  return { said, s, file };
}

describe('frameline import FILE.pcap', () => {
  it('reads a plain conversation: masked client frames, a fragmented message joined', async () => {
    const { said, file } = await importedConversation('plain', ['--no-deflate']);
    expect(said.extensions).toBe('');
    expect(said.sent.some((m) => m.data.length > 20_000)).toBe(true);

    // The same capture without the client's second message (as if the capture lost it): what came
    // before the gap is read, the client's side stops there, and the gap is an event.
    const client = (
      await new Promise<string>((resolve, reject) =>
        execFile(
          'tshark',
          ['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.len'],
          (err, out) => (err ? reject(err) : resolve(out)),
        ),
      )
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t').map(Number) as [number, number, number])
      .filter(([, port, len]) => port !== Number(new URL(said.url).port) && len > 0);
    const lossy = join(ws.dir, 'lossy.pcap');
    // The client's segments: the upgrade request, then one per message.
    await new Promise<void>((resolve, reject) =>
      execFile('editcap', [file, lossy, String(client[2]![0])], (err) => (err ? reject(err) : resolve())),
    );
    const r = await cliJson<Imported>(['import', lossy, '--db', ws.db]);
    expect(r.result.code, r.result.stderr).toBe(0);
    expect(r.json.tcpEvents.missing).toBeGreaterThan(0);
    const s = await show(r.json.sessionId);
    expect(messages(s, 'out')).toEqual(said.sent.slice(0, 1));
    expect(messages(s, 'in')).toEqual(said.received);
    // The event says how many bytes the capture lacks (the segment taken out), and how many after
    // the gap could not be read (the client's later segments).
    expect(events(r.json.sessionId)).toContainEqual(
      expect.objectContaining({
        kind: 'tcp-missing',
        detail: expect.objectContaining({
          side: 'client',
          bytes: client[2]![2],
          unreadBytes: client.slice(3).reduce((n, [, , len]) => n + len, 0),
        }),
      }),
    );
  }, 60_000);

  it('inflates permessage-deflate with the context kept between messages', async () => {
    const { said } = await importedConversation('deflate', []);
    expect(said.extensions).toMatch(/permessage-deflate/);
  }, 60_000);

  it('decrypts wss:// with the client key log, and says what to do without it', async () => {
    const pair = selfSigned(ws.dir, 'server', 'localhost');
    const keylog = join(ws.dir, 'keys.log');
    const port = await freePort();
    const { file, said } = await captured(ws.dir, 'tls', port, () =>
      conversation(port, ['--tls', pair.certFile, pair.keyFile, '--keylog', keylog]),
    );
    const r = await cliJson<Imported>(['import', file, '--keylog', keylog, '--db', ws.db]);
    expect(r.result.code, r.result.stderr).toBe(0);
    expect(r.json).toMatchObject({ connections: 1, skipped: 0 });
    const s = await show(r.json.sessionId);
    expect(s.connections[0]!.url).toBe(`wss://127.0.0.1:${port}/feed?x=1`);
    expect(s.connections[0]!.timings.tlsMs).toBeGreaterThanOrEqual(0);
    expect(messages(s, 'out')).toEqual(said.sent);
    expect(messages(s, 'in')).toEqual(said.received);
    // Without the key log nothing upgraded can be seen: one line, nothing created.
    const elsewhere = join(ws.dir, 'without-keylog.db');
    const without = await cli(['import', file, '--db', elsewhere]);
    expect(without.code).toBe(2);
    expect(existsSync(elsewhere)).toBe(false);
    expect(without.stderr).toMatch(/has no WebSocket connection \(of 1 TCP stream, .*--keylog FILE/);
  }, 60_000);

  it('records a connection reset by its server as closed 1006 with a tcp-reset event, which diagnose sees', async () => {
    // A server that answers the upgrade, sends one message, and resets the connection once the
    // client has spoken (as a proxy that cuts it would); a plain HTTP request gets 400.
    const server: Server = createServer((socket: Socket) => {
      let head = '';
      socket.on('data', (d: Buffer) => {
        if (head.includes('\r\n\r\n')) return void socket.resetAndDestroy();
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        const answer = upgradeAnswer(head);
        if (!answer.startsWith('HTTP/1.1 101')) return void socket.end(answer);
        socket.write(answer);
        socket.write(Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('hello')]));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { file } = await captured(ws.dir, 'reset', port, async () => {
        // A plain HTTP request first, on the same port: a TCP stream that is no WebSocket connection.
        const plain = connect(port, '127.0.0.1', () =>
          plain.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'),
        );
        plain.on('data', () => plain.end());
        plain.on('error', () => {});
        await new Promise((r) => plain.once('close', r));
        const client = new WebSocket(`ws://127.0.0.1:${port}/quotes`, { perMessageDeflate: false });
        client.once('message', () => client.send('subscribe'));
        const code = await new Promise<number>((r) => client.once('close', r));
        expect(code).toBe(1006);
      });
      const r = await cliJson<Imported>(['import', file, '--db', ws.db]);
      expect(r.result.code, r.result.stderr).toBe(0);
      expect(r.json).toMatchObject({ connections: 1, frames: 2, skipped: 1 });
      expect(r.json.tcpEvents.resets).toBe(1);
      const s = await show(r.json.sessionId);
      expect(s.connections[0]).toMatchObject({
        url: `ws://127.0.0.1:${port}/quotes`,
        closeCode: 1006,
        closedBy: 'network',
        error: {
          kind: 'reset',
          message: `the connection was reset by 127.0.0.1:${port} (the server side) without a close frame`,
        },
      });
      expect(messages(s, 'in')).toEqual([{ type: 'text', data: 'hello' }]);
      expect(messages(s, 'out')).toEqual([{ type: 'text', data: 'subscribe' }]);
      expect(events(r.json.sessionId)).toContainEqual({
        kind: 'tcp-reset',
        detail: { from: `127.0.0.1:${port}`, side: 'server', count: 1 },
      });
      const d = await cliJson<{
        findings: { id: string; summary: string; evidence: Record<string, unknown> }[];
      }>(['diagnose', String(r.json.sessionId), '--db', ws.db]);
      const abnormal = d.json.findings.find((f) => f.id === 'abnormal-closure');
      expect(abnormal?.summary).toMatch(
        new RegExp(
          `dropped while in use\\. It was reset \\(TCP RST\\) by 127\\.0\\.0\\.1:${port}, the server side\\.$`,
        ),
      );
      expect(abnormal?.evidence).toMatchObject({ resetBy: [`127.0.0.1:${port}, the server side`] });
    } finally {
      await new Promise((r) => server.close(r));
    }
  }, 60_000);

  it('names a proxy that reset the client’s connection: HAProxy in front of Python, its tunnel timeout with nolinger', async () => {
    // HAProxy closes a tunnel idle for 1 s; with `option nolinger` it closes it with RST instead of FIN.
    const server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    const proxy = await startHaproxy({
      upstreamPort: server.port,
      clientSeconds: 30,
      serverSeconds: 30,
      tunnelSeconds: 1,
      nolinger: true,
    });
    const proxyAddress = `127.0.0.1:${proxy.port}`;
    try {
      const { file, said } = await captured(ws.dir, 'proxy-reset', proxy.port, async (capture) => {
        // A client written by hand that keeps its half of the connection open once the proxy ends
        // its own (a client busy elsewhere): the proxy's reset then always follows its FIN.
        const client = connect({ port: proxy.port, host: '127.0.0.1', allowHalfOpen: true });
        client.on('error', () => {});
        let ended = false;
        client.once('end', () => (ended = true));
        let got = Buffer.alloc(0);
        client.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
        client.write(
          `GET /quotes HTTP/1.1\r\nHost: ${proxyAddress}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${Buffer.alloc(16, 1).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
        await until('the 101', () => got.includes('\r\n\r\n'));
        const status = got.subarray(0, got.indexOf('\r\n')).toString();
        got = got.subarray(got.indexOf('\r\n\r\n') + 4);
        const mask = Buffer.from([1, 2, 3, 4]);
        const payload = Buffer.from('subscribe').map((b, i) => b ^ mask[i % 4]!);
        client.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload]));
        await until('the proxy’s FIN at its tunnel timeout', () => ended);
        await until(
          'the proxy’s reset in the capture',
          async () => (await packets(capture, 'tcp.flags.reset == 1')) > 0,
        );
        client.destroy();
        return { status, echoed: got.toString('latin1') };
      });
      expect(said).toEqual({ status: 'HTTP/1.1 101 Switching Protocols', echoed: '\x81\x09subscribe' });
      const r = await cliJson<Imported>(['import', file, '--db', ws.db]);
      expect(r.result.code, r.result.stderr).toBe(0);
      expect(r.json).toMatchObject({ connections: 1, frames: 2, skipped: 0 });
      expect(r.json.tcpEvents.resets).toBe(1);
      const s = await show(r.json.sessionId);
      expect(s.connections[0]).toMatchObject({
        url: `ws://${proxyAddress}/quotes`,
        closeCode: 1006,
        closedBy: 'network',
        error: { kind: 'reset' },
      });
      expect(s.connections[0]!.error!.message).toBe(
        `the connection was reset by ${proxyAddress} (the server side, right after its FIN) without a close frame`,
      );
      expect(messages(s, 'out')).toEqual([{ type: 'text', data: 'subscribe' }]);
      expect(messages(s, 'in')).toEqual([{ type: 'text', data: 'subscribe' }]);
      const d = await cliJson<{
        findings: { id: string; summary: string; evidence: Record<string, unknown> }[];
      }>(['diagnose', String(r.json.sessionId), '--db', ws.db]);
      const abnormal = d.json.findings.find((f) => f.id === 'abnormal-closure');
      expect(abnormal?.summary, JSON.stringify(d.json.findings)).toContain(
        `reset (TCP RST) by ${proxyAddress}, the server side`,
      );
      expect(abnormal?.evidence).toMatchObject({ resetBy: [`${proxyAddress}, the server side`] });
    } finally {
      await proxy.stop();
      await server.stop();
    }
  }, 60_000);

  it('prints its progress on stderr for a larger capture: a line at each tenth of the file, with the packets read', async () => {
    const server = await startPeer(PYTHON, [serverScript('python_ws.py')]);
    // 40 binary messages of 64 KiB each way (the echo server sends each back): a capture of over 5 MiB.
    const sent = Array.from({ length: 40 }, (_, i) => Buffer.alloc(64 * 1024, i + 1));
    try {
      const { file, said } = await captured(ws.dir, 'larger', server.port, async () => {
        const client = new WebSocket(`ws://127.0.0.1:${server.port}/bulk`, { perMessageDeflate: false });
        await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
        let echoed = 0;
        for (const m of sent) {
          const back = new Promise<Buffer>((resolve) => client.once('message', (d: Buffer) => resolve(d)));
          client.send(m);
          if ((await back).equals(m)) echoed++;
        }
        client.close(1000, 'done');
        await new Promise((resolve) => client.once('close', resolve));
        return echoed;
      });
      expect(said).toBe(sent.length);
      const size = statSync(file).size;
      expect(size).toBeGreaterThan(5 * 1024 * 1024);
      const r = await cliJson<Imported>(['import', file, '--db', ws.db]);
      expect(r.result.code, r.result.stderr).toBe(0);
      expect(r.json).toMatchObject({ connections: 1, frames: sent.length * 2 + 2 });
      const lines = r.result.stderr.trim().split('\n');
      const progress = lines.map((l) => {
        const m = /^importing: ([\d.]+)MiB of ([\d.]+)MiB \((\d+)%\), (\d+) packets$/.exec(l);
        expect(m, l).not.toBeNull();
        return { total: m![2], pct: Number(m![3]), packets: Number(m![4]) };
      });
      // A line at each tenth reached (the file is read a megabyte at a time: some tenths share one).
      expect(progress.length).toBeGreaterThanOrEqual(4);
      expect(progress.every((p) => p.total === (size / 1024 / 1024).toFixed(1))).toBe(true);
      const tenths = progress.map((p) => Math.floor(p.pct / 10));
      expect(tenths).toEqual([...new Set(tenths)].sort((a, b) => a - b));
      expect(progress.map((p) => p.packets)).toEqual(
        [...progress.map((p) => p.packets)].sort((a, b) => a - b),
      );
      // The last: the whole file, every TCP packet tshark reads in it.
      expect(progress.at(-1)!.pct).toBe(100);
      expect(progress.at(-1)!.packets).toBe(await packets(file, 'tcp'));
    } finally {
      await server.stop();
    }
  });

  it('--help says how a connection is closed from its packets: a FIN then a reset is a reset', async () => {
    const help = await cli(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(
      /as reset when that side sent its FIN and then a reset before the other side's FIN \(an abortive close/,
    );
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/the bytes it lacks, and the bytes after the gap/);
  });

  it('refuses a file tshark cannot read in one line, and creates nothing', async () => {
    const bad = join(ws.dir, 'bad.pcap');
    // A pcap header's magic, then nothing a reader can use.
    writeFileSync(bad, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3]));
    const db = join(ws.dir, 'never.db');
    const r = await cli(['import', bad, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^frameline: tshark cannot read bad\.pcap: .+\n$/);
    expect(existsSync(db)).toBe(false);
  });

  it('says a file named as a packet capture is none, and a missing file without calling it a HAR', async () => {
    const text = join(ws.dir, 'notes.pcap');
    writeFileSync(text, 'GET / HTTP/1.1\r\n');
    const db = join(ws.dir, 'never.db');
    const r = await cli(['import', text, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^frameline: notes\.pcap is named as a packet capture but is none: .+\n$/);
    const missing = await cli(['import', join(ws.dir, 'gone.pcapng'), '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `frameline: cannot read the file to import ${join(ws.dir, 'gone.pcapng')} (ENOENT); check the path\n`,
    );
    expect(existsSync(db)).toBe(false);
  });

  it('names the package to install when tshark is missing', async () => {
    const { file } = await captured(ws.dir, 'missing-tshark', await freePort(), () => Promise.resolve(null));
    // A PATH without tshark (node is started by its full path).
    const r = await cli(['import', file, '--db', join(ws.dir, 'no-tshark.db')], {
      PATH: join(ws.dir, 'empty'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'frameline: tshark is not installed; install the package tshark (apt-get install tshark) to import packet captures\n',
    );
  }, 30_000);

  it('records the zero window of a server that stopped reading', async () => {
    // A server that answers the upgrade and then reads nothing more: its receive window fills.
    const sockets: Socket[] = [];
    const server: Server = createServer((socket: Socket) => {
      sockets.push(socket);
      let head = '';
      const onData = (d: Buffer) => {
        head += d.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        socket.off('data', onData);
        socket.pause();
        socket.write(upgradeAnswer(head));
      };
      socket.on('data', onData);
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { file } = await captured(ws.dir, 'zero-window', port, async () => {
        const client = new WebSocket(`ws://127.0.0.1:${port}/upload`, { perMessageDeflate: false });
        await new Promise((r) => client.once('open', r));
        const chunk = Buffer.alloc(256 * 1024, 7);
        // More than the kernel buffers of both sides hold: what is left waits in the client.
        while (client.bufferedAmount < 32 * 1024 * 1024) {
          client.send(chunk);
          await new Promise((r) => setImmediate(r));
        }
        client.terminate();
        await new Promise((r) => client.once('close', r));
      });
      const r = await cliJson<Imported>(['import', file, '--db', ws.db]);
      expect(r.result.code, r.result.stderr).toBe(0);
      expect(r.json.connections).toBe(1);
      expect(r.json.tcpEvents.zeroWindows).toBeGreaterThan(0);
      expect(events(r.json.sessionId)).toContainEqual({
        kind: 'tcp-zero-window',
        detail: { from: `127.0.0.1:${port}`, side: 'server', count: r.json.tcpEvents.zeroWindows },
      });
    } finally {
      // A paused socket does not see its peer go: it is closed here.
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => server.close(r));
    }
  }, 60_000);
});
