// A recorded Socket.IO connection as a load test that speaks Socket.IO afresh: Artillery's own
// `socketio` engine (socket.io-client: its own handshake, sid and heartbeats) emitting the recorded
// events with their names, data, namespaces and acks, and a k6 script that speaks Engine.IO and
// Socket.IO over k6/websockets. Neither resends the recorded packets, sid or pongs.
import { decodeSocketIo } from '../protocols/decode-socket-io.js';
import { parseJson } from '../protocols/wire.js';
import { stableField, type LoadTestInput } from './load-test.js';
import {
  artilleryHead,
  artilleryScenario,
  envRedactor,
  jsString,
  k6Head,
  TOKEN,
  yamlValue,
  type ScriptOrigin,
} from './load-test-text.js';
import { replayableHeaders } from './handshake.js';
import type { TimedMessage } from './pairing.js';

/** One event the client emitted, as the script emits it again. */
export interface SocketIoEmit {
  /** When it was emitted, ms after the default namespace was connected. */
  atMs: number;
  namespace: string;
  /** The event's name and arguments, a JSON array (secrets as environment tokens). */
  args: string;
  /** The recorded acknowledgement: when it came, and a field of its first argument to check. */
  ack: { answeredAtMs: number; check: { field: string; value: string | number | boolean } | null } | null;
}

/** A recorded Socket.IO connection ready to be written as a script. */
export interface SocketIoPlan extends ScriptOrigin {
  /** The server, as socket.io-client is given it (`http://host:port`, no path). */
  target: string;
  /** The recorded WebSocket URL without the recorded sid (k6 opens it as is). */
  url: string;
  /** Engine.IO's path on the server (`/socket.io`). */
  path: string;
  /** Query parameters of the URL besides Engine.IO's own. */
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  /** The auth of the recorded namespace connect, a JSON object (secrets as tokens); null when none. */
  auth: string | null;
  /** The namespaces the client connected, in order. */
  namespaces: string[];
  emits: SocketIoEmit[];
  /** When the client left (a disconnect or its close), ms after the default namespace was connected. */
  closeAtMs: number | null;
  users: number;
  durationSeconds: number;
}

/** Engine.IO's own query parameters: set by every client for itself. */
const ENGINE_IO_PARAMS = new Set(['EIO', 'transport', 'sid', 't', 'b64']);

/** A Socket.IO packet of a text frame: its type, namespace, ack id and JSON body; null for Engine.IO's own. */
function packetOf(text: string): { type: string; namespace: string; id?: string; body: string } | null {
  const m = decodeSocketIo({ direction: 'out', opcode: 'text', data: text });
  if (m.engineType !== 'message' || m.type === 'malformed' || m.attachments !== undefined) return null;
  const namespace = m.namespace ?? '/';
  const prefix = `4${text[1]}${namespace === '/' ? '' : `${namespace},`}${m.id ?? ''}`;
  if (!text.startsWith(prefix)) return null;
  return { type: m.type, namespace, id: m.id, body: text.slice(prefix.length) };
}

/** True for an EVENT's body that Socket.IO can emit: a JSON array with the event's name first. */
function eventLike(body: string): boolean {
  const data = parseJson(body);
  return Array.isArray(data) && typeof data[0] === 'string';
}

/** Builds the plan of a Socket.IO script from a recorded connection: events, acks and auth, secrets as environment tokens. */
export function socketIoPlan(input: LoadTestInput): SocketIoPlan {
  const { redactor, secrets } = envRedactor();
  const c = input.connection;
  const notes: string[] = [];
  const packets = (ms: readonly TimedMessage[]) =>
    ms.flatMap((m) => {
      const p = m.opcode === 'text' ? packetOf(m.text) : null;
      return p ? [{ ...p, ts: m.ts }] : [];
    });
  const sent = packets(input.conversation.sent);
  const received = packets(input.conversation.received);
  // Artillery's flow starts once the default namespace is connected; times count from there.
  const connected = received.find((p) => p.type === 'CONNECT');
  const start = connected?.ts ?? c.openedAt;
  const at = (ts: number) => Math.max(0, Math.round((ts - start) / 1000));
  const namespaces: string[] = [];
  let auth: string | null = null;
  const emits: SocketIoEmit[] = [];
  let left: number | null = null;
  let unreadable = 0;
  let binary = input.conversation.sent.filter((m) => m.opcode === 'binary').length;
  for (const p of sent) {
    if (p.type === 'CONNECT') {
      namespaces.push(p.namespace);
      const body = p.body === '' ? null : redactor.text(p.body);
      if (auth !== null && body !== auth)
        notes.push(
          `namespace ${p.namespace} was connected with other auth than the first; the script gives every namespace the first's`,
        );
      auth ??= body;
    } else if (p.type === 'DISCONNECT' && left === null) left = p.ts;
    else if (p.type === 'EVENT' && !eventLike(p.body)) unreadable++;
    else if (p.type === 'EVENT') {
      const acked =
        p.id === undefined
          ? undefined
          : received.find(
              (r) => r.type === 'ACK' && r.namespace === p.namespace && r.id === p.id && r.ts >= p.ts,
            );
      const answer = acked ? parseJson(acked.body) : undefined;
      const first: unknown = Array.isArray(answer) ? answer[0] : undefined;
      const check =
        first !== null && typeof first === 'object' && !Array.isArray(first)
          ? stableField({ ts: 0, opcode: 'text', text: JSON.stringify(first) }, '')
          : null;
      emits.push({
        atMs: at(p.ts),
        namespace: p.namespace,
        args: redactor.text(p.body),
        ack: acked ? { answeredAtMs: at(acked.ts), check } : null,
      });
    } else if (p.type === 'BINARY_EVENT') binary++;
  }
  const cut = emits.filter((e) => {
    const args = JSON.parse(e.args) as unknown[];
    return args.length > 2 && args.some((a) => typeof a !== 'string');
  }).length;
  if (cut > 0)
    notes.push(
      `Artillery's socketio engine emits one data argument with an event unless all are strings: the further arguments of ${cut} event${cut === 1 ? '' : 's'} are left out of its script (the k6 script sends them all)`,
    );
  const unanswered = emits.length - emits.filter((e) => e.ack).length;
  const asked = sent.filter((p) => p.type === 'EVENT' && p.id !== undefined).length;
  if (asked > emits.length - unanswered)
    notes.push(
      `${asked - (emits.length - unanswered)} emit${asked - (emits.length - unanswered) === 1 ? '' : 's'} asked for an acknowledgement the recording never got; the script does not wait for one`,
    );
  if (unreadable > 0)
    notes.push(
      `${unreadable} event${unreadable === 1 ? '' : 's'} without a name ahead of ${unreadable === 1 ? 'its' : 'their'} arguments ${unreadable === 1 ? 'is' : 'are'} left out`,
    );
  if (binary > 0)
    notes.push(
      `${binary} event${binary === 1 ? '' : 's'} with binary attachments ${binary === 1 ? 'is' : 'are'} left out`,
    );
  const idle = namespaces.filter((n) => n !== '/' && !emits.some((e) => e.namespace === n));
  if (idle.length > 0)
    notes.push(
      `Artillery connects a namespace at its first emit, so ${idle.join(', ')} (no emit recorded) ${idle.length === 1 ? 'is' : 'are'} connected by the k6 script only`,
    );
  if (!namespaces.includes('/'))
    notes.push(`Artillery also connects the default namespace "/", which the recording did not`);
  const url = new URL(redactor.url(c.url));
  const query = [...url.searchParams].filter(([k]) => !ENGINE_IO_PARAMS.has(k));
  url.searchParams.delete('sid');
  const closeAt = left ?? (c.closedByClient && c.closedAt !== null ? c.closedAt : null);
  return {
    sessionId: input.session.id,
    sessionName: input.session.name,
    connection: c.ordinal,
    target: `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`,
    url: url.toString(),
    path: url.pathname.replace(/\/$/, '') || '/socket.io',
    query,
    headers: replayableHeaders(c.requestHeaders)
      .filter(([k]) => k.toLowerCase() !== 'user-agent')
      .map(([k, v]) => [k, redactor.header(k, v)]),
    auth,
    namespaces: namespaces.length > 0 ? namespaces : ['/'],
    emits,
    closeAtMs: closeAt === null ? null : at(closeAt),
    users: input.users,
    durationSeconds: input.durationSeconds,
    secrets,
    notes,
  };
}

function emitsSaid(plan: SocketIoPlan): string {
  const n = plan.emits.length;
  const acks = plan.emits.filter((e) => e.ack).length;
  return `${n} Socket.IO event${n === 1 ? '' : 's'} emitted at their recorded times on namespace${plan.namespaces.length === 1 ? '' : 's'} ${plan.namespaces.join(', ')}, ${acks} awaiting the acknowledgement the recording got`;
}

/** JSON text with its environment tokens as Artillery templates: JSON is YAML. */
const artilleryJson = (json: string) => json.replace(TOKEN, (_m, name: string) => `{{ $env.${name} }}`);

/** The Artillery script (engine socketio) of a Socket.IO plan, as YAML. */
export function socketIoArtilleryScript(plan: SocketIoPlan): string {
  const q = (v: string | number | boolean) => yamlValue(v, (name) => `{{ $env.${name} }}`);
  const lines = artilleryHead(plan, emitsSaid(plan), q);
  lines.push('  socketio:', `    path: ${q(plan.path)}`, '    transports: ["websocket"]');
  if (plan.query.length > 0) {
    lines.push('    query:');
    for (const [k, v] of plan.query) lines.push(`      ${q(k)}: ${q(v)}`);
  }
  if (plan.headers.length > 0) {
    lines.push('    extraHeaders:');
    for (const [k, v] of plan.headers) lines.push(`      ${q(k)}: ${q(v)}`);
  }
  if (plan.auth !== null) lines.push(`    auth: ${artilleryJson(plan.auth)}`);
  lines.push(...artilleryScenario(plan, 'socketio', q));
  const think = (ms: number) => {
    if (ms >= 1) lines.push(`      - think: ${q(`${Math.round(ms)}ms`)}`);
  };
  let end = 0;
  for (const e of plan.emits) {
    think(e.atMs - end);
    const [name, ...args] = JSON.parse(e.args) as unknown[];
    // Artillery's schema takes an array of strings, or a channel with one data argument.
    if ([name, ...args].every((a) => typeof a === 'string'))
      lines.push(`      - emit: ${artilleryJson(e.args)}`);
    else
      lines.push(
        '      - emit:',
        `          channel: ${artilleryJson(JSON.stringify(name))}`,
        `          data: ${artilleryJson(JSON.stringify(args[0]))}`,
      );
    if (e.namespace !== '/') lines.push(`        namespace: ${q(e.namespace)}`);
    if (e.ack) {
      // socket.io-client calls back once per ack: a check here cannot be answered twice.
      if (e.ack.check)
        lines.push(
          '        acknowledge:',
          '          match:',
          `            json: ${q(`$.0.${e.ack.check.field}`)}`,
          `            value: ${q(e.ack.check.value)}`,
        );
      else lines.push('        acknowledge: {}');
      end = Math.max(e.atMs, e.ack.answeredAtMs);
    } else end = e.atMs;
  }
  if (plan.closeAtMs !== null) think(plan.closeAtMs - end);
  if (plan.emits.length === 0) lines.push(`      - think: ${q('1ms')}`);
  return `${lines.join('\n')}\n`;
}

/** How long a k6 run waits for the last acknowledgements when the original did not leave. */
const K6_ACK_WAIT_MS = 5000;

/** The k6 script of a Socket.IO plan: Engine.IO and Socket.IO spoken over k6/websockets. */
export function socketIoK6Script(plan: SocketIoPlan): string {
  const lastEnd = Math.max(0, ...plan.emits.map((e) => Math.max(e.atMs, e.ack?.answeredAtMs ?? 0)));
  const closeAt = plan.closeAtMs ?? lastEnd + K6_ACK_WAIT_MS;
  const lines = k6Head({ ...plan, target: plan.url }, emitsSaid(plan), closeAt);
  const field = (f: { field: string; value: string | number | boolean } | null) =>
    f === null ? 'null' : `{ field: ${JSON.stringify(f.field)}, value: ${JSON.stringify(f.value)} }`;
  lines.push(
    `/** The auth each namespace connect carries (a JSON object), or "". */`,
    `const AUTH = ${plan.auth === null ? '""' : jsString(plan.auth)};`,
    `const NAMESPACES = ${JSON.stringify(plan.namespaces)};`,
    '/** @typedef {{ field: string, value: string | number | boolean }} Field */',
    '/** @type {Array<{ at: number, namespace: string, args: string, ack: { check: Field | null } | null }>} */',
    'const EMITS = [',
    ...plan.emits.map(
      (e) =>
        `  { at: ${e.atMs}, namespace: ${JSON.stringify(e.namespace)}, args: ${jsString(e.args)}, ack: ${e.ack ? `{ check: ${field(e.ack.check)} }` : 'null'} },`,
    ),
    '];',
    `const CLOSE_AT = ${closeAt};`,
    '',
    '/** A namespace as a packet names it: nothing for the default one, else `/chat,`. */',
    "const ns = (/** @type {string} */ n) => (n === '/' ? '' : `${n},`);",
    '',
    'export default function () {',
    '  const ws = new WebSocket(TARGET, null, { headers: HEADERS });',
    '  /** @type {Map<string, { check: Field | null }>} */',
    '  const awaited = new Map();',
    '  let connected = 0;',
    '  const start = () => {',
    '    EMITS.forEach((e, i) => {',
    '      setTimeout(() => {',
    "        // An ack id per emit that awaits one: the emit's place in the script.",
    "        const id = e.ack ? String(i + 1) : '';",
    '        if (e.ack) awaited.set(`${e.namespace} ${id}`, e.ack);',
    '        ws.send(`42${ns(e.namespace)}${id}${e.args}`);',
    '      }, e.at);',
    '    });',
    '    setTimeout(() => {',
    '      for (const key of awaited.keys()) check(null, { [`the acknowledgement of ${key} arrived`]: () => false });',
    '      ws.close();',
    '    }, CLOSE_AT);',
    '  };',
    '  ws.onmessage = (event) => {',
    "    if (!event || typeof event.data !== 'string') return;",
    '    /** @type {string} */',
    '    const text = event.data;',
    '    // Engine.IO: its open (a new sid, never the recorded one), then a ping to answer every pingInterval.',
    "    if (text.startsWith('0')) {",
    '      for (const n of NAMESPACES) ws.send(`40${ns(n)}${AUTH}`);',
    '      return;',
    '    }',
    "    if (text === '2') {",
    "      ws.send('3');",
    '      return;',
    '    }',
    '    const p = /^4([0-6])(\\/[^,]*,)?(\\d*)(.*)$/s.exec(text);',
    '    if (!p) return;',
    "    const namespace = p[2] ? p[2].slice(0, -1) : '/';",
    '    // Once every namespace is connected, the events go out at their times.',
    "    if (p[1] === '0' && ++connected === NAMESPACES.length) start();",
    "    else if (p[1] === '4')",
    '      check(null, { [`namespace ${namespace} accepts the client: ${p[4]}`]: () => false });',
    "    else if (p[1] === '3') {",
    '      const key = `${namespace} ${p[3]}`;',
    '      const a = awaited.get(key);',
    '      if (!a) return;',
    '      awaited.delete(key);',
    '      const first = JSON.parse(p[4])[0];',
    '      check(first, {',
    '        [`the acknowledgement of ${key} has ${a.check ? `${a.check.field} ${JSON.stringify(a.check.value)}` : "come"}`]: (f) =>',
    "          a.check === null || (f !== null && typeof f === 'object' && f[a.check.field] === a.check.value),",
    '      });',
    '    }',
    '  };',
    '  ws.onerror = (event) => {',
    "    check(null, { [`the connection to ${TARGET} works: ${event ? event.error : 'error'}`]: () => false });",
    '  };',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
