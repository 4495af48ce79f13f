// A walked incident as an on-call engineer leaves it, recorded through the engine's own domain
// functions against a local WebSocket service that fails the way a crashing backend does (1011
// after a moment): a post-mortem written, action items, a capture with findings (pings, an
// id-carrying request, reconnects), a probe session, and a walk of the 3 AM flowchart with shell
// steps (one edited), app actions, checklist ticks, a note, a step back and an end. Canary secrets
// sit where secrets hide (headers, the URL, the subprotocol, nested JSON and a JWT in frames, a
// command's output, a note); `hostile` puts script payloads where captured and written text goes.
import type { IncomingMessage } from 'node:http';
import { ProbeRequestSchema } from '../../shared/contract/diagnose.js';
import { CaptureRequestSchema } from '../../shared/contract/capture.js';
import { Capture } from '../../electron/engine/capture/capture.js';
import { openEngine } from '../../electron/engine/context.js';
import { runProbe } from '../../electron/engine/diagnose/probe.js';
import { diagnoseSession } from '../../electron/engine/diagnose/session-analysis.js';
import { WalkEngine } from '../../electron/engine/incidents/walk.js';
import { confirmed } from './authorisers.js';
import { wsServer, type WsScenario } from '../servers/scenarios.js';

/** A JWT whose payload names the canary (`{"sub":"canary-jwt","iat":1516239022}`). */
export const CANARY_JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktand0IiwiaWF0IjoxNTE2MjM5MDIyfQ.0h7ZqfHqD3Qy8k6Xo4yW1bQ2sV9nL5tR7uM3cE8aK1s';

/** Secrets placed where they hide; none may leave the machine in a redacted export. */
export const CANARIES = {
  header: 'canary-header-7f3a91',
  apiKey: 'canary-apikey-19c2e4',
  url: 'canary-url-44d1b0',
  subprotocol: 'c4n4ryS5ubpr0t0c0lT0ken9x2q8z',
  json: 'canary-json-b71e55',
  shell: 'canary-shell-5e6b02',
  note: 'canary-note-0a9f6d',
  jwt: CANARY_JWT,
} as const;

/** Every canary value, for "none of these is in the file" checks. */
export const CANARY_VALUES: readonly string[] = Object.values(CANARIES);

/** Script payloads that must be shown as text, never run. */
export const XSS = {
  script: '<script>window.__xss = "script"</script>',
  img: '<img src=x onerror="window.__xss = \'img\'">',
  svg: '<svg onload="window.__xss = \'svg\'"></svg>',
  link: '[click](javascript:window.__xss="md")',
  close: '</pre><script>window.__xss="close"</script>',
} as const;

export interface WalkedIncident {
  incidentId: number;
  walkId: number;
  /** The capture with the canaries, linked by hand and diagnosed. */
  captureSessionId: number;
  /** The standalone probe, linked by hand. */
  probeSessionId: number;
  /** The capture the walk's action recorded (linked by the walk). */
  walkSessionId: number;
  server: WsScenario;
}

/** A service that says hello with secrets inside, echoes, pings back, then fails with 1011. */
async function failingService(hostile: boolean): Promise<WsScenario> {
  return wsServer(
    (socket, req: IncomingMessage) => {
      const path = req.url ?? '';
      socket.send(
        JSON.stringify({
          type: 'welcome',
          user: { id: 7, auth: { password: CANARIES.json, level: 'admin' } },
          token: CANARIES.jwt,
          note: hostile ? XSS.script : 'hello',
        }),
      );
      socket.on('message', (data, binary) => socket.send(data, { binary }));
      // Long enough for a few pings and the echo; the probe's idle hold sees the close too.
      setTimeout(
        () => socket.close(1011, hostile ? XSS.close.slice(0, 100) : 'internal error'),
        path.startsWith('/probe') ? 600 : 400,
      );
    },
    {
      handleProtocols: (protocols: Set<string>) => (protocols.has('access_token') ? 'access_token' : false),
    },
  );
}

/** Records the walked incident into the database at `dbPath`. */
export async function walkedIncident(dbPath: string, { hostile = false } = {}): Promise<WalkedIncident> {
  const server = await failingService(hostile);
  const ctx = openEngine(dbPath);
  const walks = new WalkEngine({ db: ctx.db, dbPath });
  try {
    const text = (plain: string, payload: string) => (hostile ? `${plain} ${payload}` : plain);
    const incidents = walks.incidents;
    const incident = incidents.create({
      title: text('Chat drops every minute', XSS.script),
      severity: 'P1',
    });
    const detected = Date.parse(incident.detectedAt);
    const at = (minutes: number) =>
      new Date(Math.floor(detected / 1000) * 1000 + minutes * 60_000).toISOString();
    incidents.update(incident.id, {
      impactStartedAt: at(-9),
      acknowledgedAt: at(2),
      responders: hostile ? ['Ana', XSS.img] : ['Ana Ortiz', 'Bo Chen'],
      summary: text(
        'Chat connections dropped every 60 seconds for all users; clients reconnected in a loop.',
        XSS.img,
      ),
      impact: text(
        'Every chat user saw "reconnecting…" once a minute; 18% of messages were sent twice.',
        XSS.svg,
      ),
      trigger: text('A load balancer change lowered the idle timeout to 60 s.', XSS.link),
      rootCause: 'The idle timeout (60 s) is shorter than the heartbeat interval (90 s).',
      detection: 'The reconnect-rate alert fired at 02:07 UTC.',
      resolution: 'The proxy idle timeout was raised to 3600 s and a 25 s heartbeat enabled.',
      wentWell: 'The walk found the balancer within ten minutes.',
      wentWrong: 'No alert on 1006 closes; the heartbeat was off.',
      gotLucky: 'It happened at night, with little traffic.',
    });
    incidents.addAction(incident.id, {
      title: text('Raise the proxy idle timeout above the heartbeat interval', XSS.script),
      type: 'prevent',
      owner: 'Ana Ortiz',
      due: '2026-12-01',
      link: 'https://tickets.example/OPS-142',
    });
    const page = incidents.addAction(incident.id, {
      title: 'Page on a rise of 1006 closes',
      type: 'process',
      owner: 'Bo Chen',
    });
    incidents.updateAction(page.id, { done: true });

    // The capture with the canaries: credentials in headers, URL and subprotocol, secrets in frames.
    const capture = Capture.start(
      ctx,
      CaptureRequestSchema.parse({
        url: `${server.url}/live?room=7&token=${CANARIES.url}`,
        name: text('chat during the outage', XSS.img),
        headers: [
          ['Authorization', `Bearer ${CANARIES.header}`],
          ['X-Api-Key', CANARIES.apiKey],
        ],
        subprotocols: ['access_token', CANARIES.subprotocol],
        sends: [
          JSON.stringify({
            id: 1,
            op: 'auth',
            credentials: { password: CANARIES.json },
            bearer: CANARIES.jwt,
          }),
        ],
        proxy: null,
        pingIntervalSeconds: 0.05,
        reconnect: { baseMs: 50, maxMs: 100, attempts: 2 },
        durationSeconds: 1.2,
      }),
    );
    const captured = await capture.done;
    incidents.link(incident.id, captured.sessionId);
    diagnoseSession(ctx, { id: captured.sessionId });

    const probe = await runProbe(
      ctx,
      ProbeRequestSchema.parse({
        url: `${server.url}/probe`,
        idleLimitSeconds: 1,
        echo: 3,
        timeoutSeconds: 2,
      }),
    );
    incidents.link(incident.id, probe.sessionId!);

    // The walk: ALERT's count (a shell step), its capture and diagnosis (app actions), a tick, a note.
    const walk = walks.start({ incidentId: incident.id, runbookId: 'ws-3am', target: `${server.url}/walk` });
    await walks.runShell(
      await confirmed(walks, walk.id, {
        step: 1,
        command: `echo "open connections: 3"; echo "Authorization: Bearer ${CANARIES.shell}"${hostile ? `; echo '${XSS.script}'` : ''}`,
      }),
      { timeoutMs: 10_000 },
    ).done;
    const walkCapture = await walks.runAction(walk.id, { step: 2, duration: 0.3 }).done;
    await walks.runAction(walk.id, { step: 3 }).done;
    walks.note(
      walk.id,
      text(`Dashboards show drops every 60 s; token=${CANARIES.note} was in the client log.`, XSS.img),
    );
    walks.choose(walk.id, 'next');
    walks.choose(walk.id, 'Load balancer');
    walks.choose(walk.id, 'next');
    await walks.runShell(
      await confirmed(walks, walk.id, {
        step: 1,
        command: `printf 'proxy_read_timeout 60s;\\nproxy_http_version 1.1;\\n'`,
      }),
      { timeoutMs: 10_000 },
    ).done;
    walks.check(walk.id, { step: 2, checked: true });
    // A wrong turn, taken back.
    walks.choose(walk.id, 'next');
    walks.choose(walk.id, 'Health checks');
    walks.back(walk.id);
    walks.choose(walk.id, 'Timeouts');
    walks.choose(walk.id, 'next');
    walks.choose(walk.id, 'next');
    walks.choose(walk.id, 'Yes');
    incidents.update(incident.id, { status: 'resolved', mitigatedAt: at(12), resolvedAt: at(40) });
    return {
      incidentId: incident.id,
      walkId: walk.id,
      captureSessionId: captured.sessionId,
      probeSessionId: probe.sessionId!,
      walkSessionId: (walkCapture.result as { sessionId: number }).sessionId,
      server,
    };
  } catch (err) {
    await server.close();
    throw err;
  } finally {
    await walks.close();
    ctx.close();
  }
}
