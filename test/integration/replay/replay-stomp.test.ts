// `frameline replay` of a STOMP session recorded against Debian's RabbitMQ (rabbitmq_web_stomp): the
// replay sends its own CONNECT (the recorded vhost, credentials and heart-beat) and waits for a new
// CONNECTED, then the recorded SUBSCRIBE and SEND, keeps heart-beats of its own, and finds the
// RECEIPT and the MESSAGE the same. One node for the file (it takes seconds to start), stopped
// after it, its epmd too.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RABBITMQ_GUEST, rabbitmqMissing, startRabbitMq, type RabbitMq } from '../../servers/rabbitmq.js';
import { captured, texts } from '../../support/captured.js';
import { cliJson, workspace, type Workspace } from '../../support/cli.js';
import type { ShowJson } from '../../support/session-json.js';

interface ReplayJson {
  sessionId: number;
  sent: number;
  received: number;
  matched: number;
  changed: number;
  missing: number;
  extra: number;
}

const missing = rabbitmqMissing();
let broker: RabbitMq | null = null;
let ws: Workspace;

beforeAll(async () => {
  if (missing === null) broker = await startRabbitMq();
}, 120_000);

afterAll(async () => {
  await broker?.stop();
}, 60_000);

beforeEach(() => {
  ws = workspace();
});

afterEach(() => {
  ws.cleanup();
});

const sessionOf = (frames: ShowJson['frames']) =>
  /\nsession:([^\n]+)\n/.exec(texts(frames, 'in').find((p) => p.startsWith('CONNECTED\n'))!)?.[1];

describe.skipIf(missing !== null)(
  `replay of a STOMP session${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    it('opens CONNECT afresh, sends the recorded SUBSCRIBE and SEND after CONNECTED, and finds the RECEIPT and MESSAGE the same', async () => {
      const b = broker!;
      const recording = await captured(ws.db, [
        b.stompUrl,
        '--protocol',
        'stomp',
        '--init-payload',
        JSON.stringify({ ...RABBITMQ_GUEST, heartBeat: '1000,1000' }),
        '--subscribe',
        '/queue/replayed',
        // As a shell's $'…' gives it: real newlines, and no NUL (no command line can carry one).
        '--send',
        'SEND\ndestination:/queue/replayed\n\ndisk 91% on db-1',
        '--duration',
        '2.5',
      ]);
      expect(recording.code).toBe(0);
      const recordedOut = texts(recording.data.frames, 'out');
      expect(recordedOut[2]).toBe('SEND\ndestination:/queue/replayed\n\ndisk 91% on db-1\0');
      // The broker delivered it to the subscription: the frame was whole.
      expect(texts(recording.data.frames, 'in').find((p) => p.startsWith('MESSAGE\n'))).toMatch(
        /\n\ndisk 91% on db-1\0/,
      );

      const { result, json } = await cliJson<ReplayJson>([
        'replay',
        String(recording.data.session.id),
        '--to',
        b.stompUrl,
        '--db',
        ws.db,
      ]);
      // Sent: the SUBSCRIBE and the SEND; answered: the RECEIPT and the MESSAGE. No CONNECT, no heart-beat compared.
      expect(json).toMatchObject({ sent: 2, received: 2, matched: 2, changed: 0, missing: 0, extra: 0 });
      expect(result.code).toBe(0);

      const run = (await cliJson<ShowJson>(['show', String(json.sessionId), '--frames', '--db', ws.db])).json;
      expect(run.connections[0]).toMatchObject({
        subprotocol: 'v12.stomp',
        closedBy: 'client',
        closeCode: 1000,
        error: null,
      });
      const out = texts(run.frames, 'out');
      const commands = out.filter((p) => !/^\r?\n$/.test(p)).map((p) => p.slice(0, p.indexOf('\n')));
      expect(commands).toEqual(['CONNECT', 'SUBSCRIBE', 'SEND']);
      // Its own CONNECT, with the recorded vhost, credentials and heart-beat, and a new broker session.
      expect(out[0]).toMatch(/^CONNECT\n[^]*host:\/\nheart-beat:1000,1000\nlogin:guest\npasscode:guest\n/);
      expect(sessionOf(run.frames)).toBeDefined();
      expect(sessionOf(run.frames)).not.toBe(sessionOf(recording.data.frames));
      // Kept past twice the negotiated 1 s by heart-beats of its own.
      expect(out.filter((p) => /^\r?\n$/.test(p)).length).toBeGreaterThanOrEqual(1);
    });
  },
);
