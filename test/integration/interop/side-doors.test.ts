// Secrets that left by side doors (issue 19, item 10), each checked where a user would find it: a
// capture whose URL carries a `?token=` and a password, whose subprotocol carries a token of letters
// only, whose plain-text (non-JSON) frames carry Bearer tokens, header lines and `token=` pairs; a
// probe refused with 401 whose findings carry the probed URL; a walk note holding an Authorization.
// No canary may appear in any export (HAR, NDJSON, Artillery, k6), any report format (Markdown,
// HTML, JSON, PDF) or the diagnosis the command line prints; what was taken out is counted and
// named; the note keeps everything but the secret.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureRequestSchema } from '../../../shared/contract/capture.js';
import { ProbeRequestSchema } from '../../../shared/contract/diagnose.js';
import { Capture } from '../../../electron/engine/capture/capture.js';
import { openEngine } from '../../../electron/engine/context.js';
import { runProbe } from '../../../electron/engine/diagnose/probe.js';
import { diagnoseSession } from '../../../electron/engine/diagnose/session-analysis.js';
import { WalkEngine } from '../../../electron/engine/incidents/walk.js';
import { rejectingServer, wsServer, type Running, type WsScenario } from '../../servers/scenarios.js';
import { browserMissing } from '../../support/browser.js';
import { cli, workspace, type Workspace } from '../../support/cli.js';
import { canary, everyOutput, expectNoSecrets, letterCanary } from '../../support/secrets.js';

/** Secrets placed where item 10 found them leaving; none may be in any output. */
const C = {
  urlToken: canary('url-token'),
  urlPassword: canary('url-password'),
  header: canary('auth-header'),
  subprotocol: letterCanary('Subprotocol'),
  frameHeaderLine: canary('frame-header-line'),
  frameBearer: letterCanary('FrameBearer'),
  framePair: canary('frame-pair'),
  frameApiKey: canary('frame-api-key'),
  frameUrl: canary('frame-url'),
  sentBearer: canary('sent-bearer'),
  sentPair: canary('sent-pair'),
  closeReason: canary('close-reason'),
  probeToken: canary('probe-token'),
  probeSubprotocol: letterCanary('ProbeSubprotocol'),
  note: canary('note-bearer'),
};
const SECRETS = Object.values(C);
const NOTE_REST = 'was in the client log; we restarted the proxy at 02:14 and it held';

let ws: Workspace;
let captureId: number;
let plainId: number;
let probeId: number;
let incidentId: number;

/** A service that speaks plain text (a STOMP-like greeting, log lines), then closes with a reason. */
async function plainTextService(): Promise<WsScenario> {
  return wsServer(
    (socket, req: IncomingMessage) => {
      if ((req.url ?? '').startsWith('/plain')) {
        socket.on('message', () => socket.send('ok'));
        setTimeout(() => socket.close(1000, 'done'), 300);
        return;
      }
      socket.send(`CONNECTED\nversion:1.2\nAuthorization:Bearer ${C.frameHeaderLine}\n\n\0`);
      socket.send(`AUTH Bearer ${C.frameBearer} accepted`);
      socket.send(`login token=${C.framePair} api_key=${C.frameApiKey} user=ann`);
      socket.send(`reconnect to wss://chat.example/ws?room=7&token=${C.frameUrl} if dropped`);
      socket.on('message', (data) => socket.send(`echo: ${data.toString()}`));
      setTimeout(() => socket.close(4001, `expired token: ${C.closeReason}`), 400);
    },
    {
      // Negotiates the token-carrying subprotocol, as services that read the token from it do.
      handleProtocols: (protocols: Set<string>) => [...protocols][0] ?? false,
    },
  );
}

let service: WsScenario;
let refusing: Running;

beforeAll(async () => {
  ws = workspace();
  service = await plainTextService();
  refusing = await rejectingServer(401, 'token expired');
  const ctx = openEngine(ws.db);
  const walks = new WalkEngine({ db: ctx.db, dbPath: ws.db });
  try {
    const port = new URL(service.url).port;
    const capture = Capture.start(
      ctx,
      CaptureRequestSchema.parse({
        url: `ws://ops:${C.urlPassword}@127.0.0.1:${port}/live?room=7&token=${C.urlToken}`,
        name: 'chat over plain text',
        headers: [['Authorization', `Bearer ${C.header}`]],
        subprotocols: [`access_token.${C.subprotocol}`],
        sends: [`AUTH Bearer ${C.sentBearer}`, `login token=${C.sentPair} user=ann`],
        proxy: null,
        durationSeconds: 1,
      }),
    );
    captureId = (await capture.done).sessionId;
    diagnoseSession(ctx, { id: captureId });

    // Nothing secret in its frames: only its URL carries a token.
    const plain = Capture.start(
      ctx,
      CaptureRequestSchema.parse({
        url: `${service.url}/plain?room=7&token=${C.urlToken}`,
        name: 'plain session',
        sends: ['hello'],
        proxy: null,
        durationSeconds: 0.5,
      }),
    );
    plainId = (await plain.done).sessionId;

    const probe = await runProbe(
      ctx,
      ProbeRequestSchema.parse({
        url: `${refusing.url}/live?token=${C.probeToken}`,
        headers: [['Authorization', `Bearer ${C.header}`]],
        subprotocols: [`access_token.${C.probeSubprotocol}`],
        idleLimitSeconds: 1,
        timeoutSeconds: 2,
      }),
    );
    probeId = probe.sessionId!;
    expect(probe.findings.map((f) => f.id)).toContain('upgrade-rejected');

    const incident = walks.incidents.create({ title: 'Chat refuses tokens', severity: 'P2' });
    incidentId = incident.id;
    walks.incidents.link(incident.id, captureId);
    walks.incidents.link(incident.id, probeId);
    const walk = walks.start({ incidentId, runbookId: 'ws-3am', target: `${service.url}/walk` });
    walks.note(walk.id, `Authorization: Bearer ${C.note} ${NOTE_REST}.`);
  } finally {
    await walks.close();
    ctx.close();
  }
}, 90_000);

afterAll(async () => {
  await service?.close();
  await refusing?.close();
  ws?.cleanup();
});

describe('secrets that left by side doors', () => {
  it('keeps every canary out of HAR, NDJSON, Artillery, k6, the report in every format and the diagnosis', async () => {
    const outputs = {
      ...(await everyOutput(ws.db, ws.dir, { sessions: [captureId], incidentId })),
      // A probe sends nothing a load test could replay: its exports are the session files.
      ...(await everyOutput(ws.db, ws.dir, { sessions: [probeId], formats: ['har', 'ndjson'] })),
    };
    for (const id of [captureId, probeId]) {
      for (const args of [
        ['diagnose', String(id)],
        ['diagnose', String(id), '--json'],
      ]) {
        const r = await cli([...args, '--db', ws.db], {}, 60_000);
        outputs[args.join(' ')] = r.stdout + r.stderr;
      }
    }
    expect(Object.keys(outputs).some((k) => k.endsWith(' pdf')) || browserMissing() !== null).toBe(true);
    expectNoSecrets(outputs, SECRETS);
    // The secrets' places are still there, masked: the exports stay readable.
    const har = outputs[`export ${captureId} har`]!;
    expect(har).toContain(`access_token.***`);
    expect(har).toContain('AUTH Bearer *** accepted');
    expect(har).toContain('login token=*** api_key=*** user=ann');
    expect(outputs[`export ${captureId} k6`]).toContain('access_token.');
    expect(outputs[`export ${captureId} artillery`]).toContain('AUTH Bearer {{ $env.BEARER_TOKEN }}');
  });

  it('counts and names what an export took out, URL query secrets included', async () => {
    for (const format of ['ndjson', 'har']) {
      const r = await cli(['export', String(plainId), '--format', format, '--db', ws.db], {}, 60_000);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain(C.urlToken);
      expect(r.stdout).not.toContain('nothing matched the rules');
      expect(r.stderr).not.toContain('nothing matched the rules');
      expect(r.stderr, format).toMatch(/redacted \d+ values?: .*url-query \d+: token/);
      const header = JSON.parse(format === 'ndjson' ? r.stdout.split('\n')[0]! : r.stdout) as {
        frameline?: { comment: string; redaction: { rules: unknown[] } };
        log?: { comment: string; _frameline: { redaction: { rules: unknown[] } } };
      };
      const comment = header.frameline?.comment ?? header.log!.comment;
      const rules = header.frameline?.redaction.rules ?? header.log!._frameline.redaction.rules;
      expect(comment, format).toMatch(/^Redacted \d+ values? \(.*url-query \d+: token/);
      expect(rules, format).toContainEqual(expect.objectContaining({ rule: 'url-query', names: ['token'] }));
    }
  });

  it('keeps the rest of a note around the Authorization it masks, in every report format', async () => {
    const outputs = await everyOutput(ws.db, ws.dir, { sessions: [], incidentId });
    for (const [name, text] of Object.entries(outputs)) {
      if (name.endsWith('(stderr)') || name.endsWith('(bytes)')) continue;
      // pdftotext may break a line anywhere: compare without line breaks.
      const flat = name.endsWith('pdf') ? text.replace(/\s+/g, ' ') : text;
      // Markdown escapes the mask's stars.
      expect(flat, name).toContain(
        name.endsWith('md') ? 'Authorization: Bearer \\*\\*\\*' : 'Authorization: Bearer ***',
      );
      expect(flat, name).toContain(NOTE_REST);
    }
  });
});
