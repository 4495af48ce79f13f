// The evidence of a session captured from a real Socket.IO 4 server, in the incident report: each
// connection's protocol, and its last frames with their messages decoded (`[EVENT chat]`) from the
// redacted payload, as the exports do it — in Markdown, HTML, the PDF's text and the JSON. A token
// in an event's data and an event name the user redacts appear in none of them; --no-redact keeps
// both (so this can fail).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../shared/contract/reports.js';
import { socketIoServer } from '../../servers/socketio.js';
import { browserMissing } from '../../support/browser.js';
import { cli, cliJson, finished, startCli, workspace, type Workspace } from '../../support/cli.js';
import { canary, expectNoSecrets } from '../../support/secrets.js';
import { protocolToolMissing } from '../../support/test-tools.js';

const TOKEN = canary('report-token');
const ROOM = `room${Math.random().toString(16).slice(2, 8)}`;
const SECRETS = [TOKEN, ROOM];

let ws: Workspace;
let incident: number;
let session: number;

beforeAll(async () => {
  ws = workspace();
  if (protocolToolMissing('socket.io')) return;
  // Heartbeats far apart: the last frames are the conversation, not Engine.IO's pings.
  const server = await socketIoServer({ pingInterval: 20_000, pingTimeout: 10_000 });
  try {
    const child = startCli([
      'capture',
      server.url,
      '--protocol',
      'socket.io',
      '--name',
      'chat during the outage',
      '--send',
      `42["chat",{"text":"hi","token":"${TOKEN}"}]`,
      '--send',
      `42["${ROOM}",{"joined":true}]`,
      '--db',
      ws.db,
    ]);
    const done = finished(child, 30_000);
    let seen = '';
    await new Promise<void>((resolve) =>
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes(`[EVENT ${ROOM}]`) && seen.includes('[EVENT welcome]')) resolve();
      }),
    );
    // The server has what was sent before the capture stops.
    while (server.events.length < 2) await new Promise((r) => setImmediate(r));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    session = Number(/^session (\d+)/m.exec(result.stdout)![1]);
  } finally {
    await server.close();
  }
  const created = await cliJson<{ id: number }>([
    'incident',
    'create',
    '--title',
    'Chat drops',
    '--db',
    ws.db,
  ]);
  incident = created.json.id;
  const linked = await cli([
    'incident',
    'link',
    String(incident),
    '--session',
    String(session),
    '--db',
    ws.db,
  ]);
  expect(linked.code, linked.stderr).toBe(0);
}, 60_000);

afterAll(() => ws?.cleanup());

async function report(...args: string[]): Promise<string> {
  const r = await cli(
    ['report', String(incident), '--redact-pattern', ROOM, ...args, '--db', ws.db],
    {},
    60_000,
  );
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(protocolToolMissing('socket.io'))('a report of a captured Socket.IO session', () => {
  it('the JSON names the protocol and carries each last frame decoded from its redacted payload', async () => {
    const data = JSON.parse(await report('--format', 'json')) as Report;
    const s = data.sessions.find((x) => x.id === session)!;
    expect(s.connections.shown.map((c) => c.protocol)).toEqual(['socket.io']);
    const labels = s.lastFrames.map((f) => f.label);
    expect(labels).toEqual(expect.arrayContaining(['open', 'CONNECT', 'EVENT welcome', 'EVENT chat']));
    const chat = s.lastFrames.find((f) => f.label === 'EVENT chat')!;
    expect(chat).toMatchObject({ direction: 'out', opcode: 'text', connection: 1, damaged: false });
    expect(chat.message).toMatchObject({ protocol: 'socket.io', type: 'EVENT', name: 'chat' });
    expect(chat.preview).toMatch(/^42\["chat",\{"text":"hi","token":"/);
    // The event the user redacted by name is decoded from the masked payload: its name is masked.
    const room = s.lastFrames.filter((f) => f.direction === 'out' && f.label.startsWith('EVENT '));
    expect(room).toHaveLength(2);
    expect(room[1]!.label).not.toBe('EVENT chat');
    expectNoSecrets({ json: JSON.stringify(data) }, SECRETS);
  });

  it('Markdown and HTML name the protocol and show the last frames with their labels, no secret', async () => {
    const md = await report();
    expect(md).toContain('- **Protocol:** socket.io');
    expect(md).toMatch(/\| 1 \| [\d:]+ \| [\d:—]+ \| .+ \| socket\.io \| \d+ \|/);
    const frames =
      /Its last \d+ frames, redacted, each message decoded in its connection's protocol:\n\n```text\n([\s\S]*?)\n```/.exec(
        md,
      )![1]!;
    expect(frames).toMatch(/^\d\d:\d\d:\d\d\.\d{6} #1 > text \d+ B {2}\[EVENT chat\] 42\["chat",/m);
    expect(frames).toMatch(/^\d\d:\d\d:\d\d\.\d{6} #1 < text \d+ B {2}\[EVENT welcome\] 42\["welcome",/m);

    const file = join(ws.dir, 'report.html');
    await report('-o', file);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<li><strong>Protocol:</strong> socket.io</li>');
    expect(html).toContain('<th>Protocol</th>');
    expect(html).toMatch(/<pre class="frames">[^<]*\[EVENT chat\] 42\[&quot;chat&quot;,/);
    expectNoSecrets({ md, html }, SECRETS);
  });

  it.skipIf(browserMissing())('the PDF text shows the decoded labels, no secret', async () => {
    const file = join(ws.dir, 'report.pdf');
    await report('-o', file);
    const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
    expect(text).toContain('[EVENT chat]');
    expect(text).toContain('[EVENT welcome]');
    expect(text).toMatch(/Protocol:\s+socket\.io/);
    expectNoSecrets({ pdf: text }, SECRETS);
  });

  it('--no-redact keeps the token and the event name (the checks above can fail)', async () => {
    const r = await cli(['report', String(incident), '--no-redact', '--db', ws.db], {}, 60_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(TOKEN);
    expect(r.stdout).toContain(`[EVENT ${ROOM}]`);
  });
});
