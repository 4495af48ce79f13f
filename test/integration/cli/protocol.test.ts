// When the server breaks RFC 6455, Frameline closes the connection itself: the record says so (the
// code we sent, closed by the client, the violation) and diagnose names it, instead of blaming the
// network for a 1006. Handshakes and closing handshakes are bounded in time, whatever the peer does.
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../../shared/findings.js';
import { cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';
import { closeFrame, rawPeer, serverFrame, type RawPeer } from '../../servers/raw-peer.js';
import { until } from '../../support/wait.js';

let ws: Workspace;
const peers: RawPeer[] = [];

beforeEach(() => {
  ws = workspace();
});

afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
  ws.cleanup();
});

async function peer(script: Parameters<typeof rawPeer>[0]): Promise<RawPeer> {
  const p = await rawPeer(script);
  peers.push(p);
  return p;
}

/** Runs a capture to its end (bounded: a hang is a failure) and reads back what was recorded. */
async function capture(args: string[], timeoutMs = 20_000) {
  const child = startCli(['capture', ...args, '--db', ws.db]);
  const result = await finished(child, timeoutMs);
  expect(result.code, `capture was killed or failed: ${result.stderr}`).not.toBeNull();
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  const { json } = await cliJson<ShowJson>(['show', '1', '--frames', '--db', ws.db]);
  return { result, data: json };
}

async function diagnose(): Promise<Diagnosis> {
  const { json } = await cliJson<Diagnosis>(['diagnose', '1', '--db', ws.db]);
  return json;
}

/** A peer that sends `frame` once the connection is open, then waits. */
const sending = (frame: Buffer) => ({ open: (s: Socket) => void s.write(frame) });

describe('a server that breaks the protocol', () => {
  it.each([
    ['a masked frame', serverFrame(1, Buffer.from('hello'), { mask: true }), 1002, /masked/],
    ['text that is not UTF-8', serverFrame(1, Buffer.from([0x68, 0xff, 0xfe, 0x69])), 1007, /UTF-8/],
    ['a reserved bit without an extension', serverFrame(1, Buffer.from('hi'), { rsv: 4 }), 1002, /RSV1/],
  ])(
    'sending %s is closed by the client with its code, and diagnose names the violation',
    async (_what, frame, code, words) => {
      const p = await peer(sending(frame));
      const { result, data } = await capture([p.url]);
      expect(p.closeCode()).toBe(code);
      const c = data.connections[0]!;
      expect(c).toMatchObject({ closeCode: code, closedBy: 'client' });
      expect(c.error).toMatchObject({ kind: 'protocol' });
      expect(c.error!.message).toMatch(words);
      expect(result.stderr).toMatch(new RegExp(`closed by client at [0-9:.]+ UTC: ${code} `));
      expect(result.stderr).toMatch(words);

      const d = await diagnose();
      const ids = d.findings.map((f) => f.id);
      expect(ids).toContain('protocol-violation');
      expect(ids).not.toContain('abnormal-closure');
      const f = d.findings.find((x) => x.id === 'protocol-violation')!;
      expect(f.summary).toMatch(words);
      expect(f.evidence.closeCodes).toEqual({ [String(code)]: 1 });
    },
  );

  it('sending a message over --max-payload is closed by the client with 1009', async () => {
    const p = await peer(sending(serverFrame(2, Buffer.alloc(200, 7))));
    const { data } = await capture([p.url, '--max-payload', '100']);
    expect(p.closeCode()).toBe(1009);
    expect(data.connections[0]).toMatchObject({ closeCode: 1009, closedBy: 'client' });
    expect(data.connections[0]!.error!.message).toMatch(/100 bytes.*--max-payload/);
    const f = (await diagnose()).findings.find((x) => x.id === 'protocol-violation');
    expect(f?.evidence.violations).toEqual({ oversize: 1 });
  });

  it('ignoring our close on Ctrl+C is recorded as our 1000, not a network drop', async () => {
    // Answers nothing and keeps TCP open.
    const p = await peer({ frame: () => {}, holdTcp: true });
    const child = startCli(['capture', p.url, '--db', ws.db]);
    const exited = finished(child, 20_000);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('the capture to connect', () => stderr.includes('connected'));
    child.kill('SIGINT');
    const result = await exited;
    expect(result.code, result.stderr).toBe(0);
    expect(p.closeCode()).toBe(1000);
    const { json: data } = await cliJson<ShowJson>(['show', '1', '--db', ws.db]);
    const c = data.connections[0]!;
    expect(c).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(c.error!.message).toMatch(/did not answer/);
    const ids = (await diagnose()).findings.map((x) => x.id);
    expect(ids).not.toContain('abnormal-closure');
    expect(ids).toContain('protocol-violation');
  });
});

describe('bounded handshakes', () => {
  it('--connect-timeout bounds a 101 trickled one byte at a time', async () => {
    const p = await peer({ trickleMs: 250 });
    const { result, data } = await capture([p.url, '--connect-timeout', '1'], 15_000);
    expect(result.code).toBe(1);
    const c = data.connections[0]!;
    expect(c.error).toMatchObject({ kind: 'timeout' });
    expect(c.error!.message).toMatch(/did not complete within 1 s/);
    expect(data.session.status).toBe('failed');
  });

  it('does not wait for a peer that keeps TCP open after the closing handshake', async () => {
    const p = await peer({
      open: (s) => void s.write(closeFrame(1001)),
      frame: () => {}, // our echo of the close is read and nothing more happens: TCP stays open
      holdTcp: true,
    });
    const { result, data } = await capture([p.url], 15_000);
    expect(result.code).toBe(0);
    expect(data.connections[0]).toMatchObject({ closeCode: 1001, closedBy: 'server', error: null });
  });

  it('says plainly what a 101 without an Upgrade header means', async () => {
    const p = await peer({
      response: () => 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n',
    });
    const { result, data } = await capture([p.url]);
    expect(result.code).toBe(1);
    const message = data.connections[0]!.error!.message;
    expect(message).toMatch(/101 .*without "Upgrade: websocket"/);
    expect(message).not.toMatch(/instead of 101/);
    const f = (await diagnose()).findings.find((x) => x.id === 'upgrade-rejected')!;
    expect(f.summary).not.toMatch(/refused with HTTP 101/);
    expect(f.summary).toMatch(/101/);
  });
});
