// A recorded connection as a load-test script for engines that run distributed: Artillery (engine
// ws, YAML) and k6 (k6/websockets, JavaScript); a Socket.IO connection is written by
// load-test-socket-io.ts. Secrets never reach the file: the one redaction module replaces each with
// an environment variable, named once per value and listed at the top (load-test-text.ts).
import type { ProtocolName } from '../protocols/names.js';
import { isSecretName, Redactor } from '../redaction.js';
import {
  artilleryHead,
  artilleryScenario,
  envRedactor,
  jsString,
  k6Head,
  yamlValue,
  type ScriptOrigin,
} from './load-test-text.js';
import { childPath, parseJson } from './diff.js';
import { offeredSubprotocols, recordedHeader, replayableHeaders } from './handshake.js';
import { greetingOf, messageId, type Conversation, type TimedMessage } from './pairing.js';
import { VOLATILE_FIELDS } from './volatile.js';

/** How a recorded answer is recognised and checked in the script. */
export interface Expectation {
  /** The top-level field and value that say a message is this answer: the request's id, or the protocol's answer type. */
  key: { field: string; value: string | number };
  /** A further top-level field of the answer that does not change between runs; null when none is. */
  check: { field: string; value: string | number | boolean } | null;
}

export interface LoadTestStep {
  /** When the message was sent, ms after the open. */
  atMs: number;
  /** Text as sent (secrets as environment tokens); binary as base64. */
  text: string;
  binary: boolean;
  /** The answer, when it was the next message and carried the request's id. */
  expect: Expectation | null;
  /** When that answer came, ms after the open. */
  answeredAtMs: number | null;
}

/** A recorded connection ready to be written as a script. */
export interface LoadTestPlan extends ScriptOrigin {
  /** The endpoint (secrets as environment tokens). */
  target: string;
  headers: Array<[string, string]>;
  origin: string | null;
  subprotocols: string[];
  idField: string;
  /** The connection's application protocol, when one was recognised. */
  protocol: ProtocolName | null;
  /** The first step opens the protocol: the others go out only once its answer has come. */
  opening: boolean;
  /** A heartbeat of the server's the script answers (graphql-ws ping → pong); null when none. */
  heartbeat: { when: { field: string; value: string }; answer: string } | null;
  steps: LoadTestStep[];
  /** When the client closed the original, ms after the open; null when it did not. */
  closeAtMs: number | null;
  /** How long to let the server's greeting pass before the first message (Artillery drops it unheard). */
  settleMs: number;
  users: number;
  durationSeconds: number;
}

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A top-level field of a recorded answer worth checking: not the id, not volatile, not a secret, a plain scalar. */
export function stableField(
  answer: TimedMessage,
  keyField: string,
): { field: string; value: string | number | boolean } | null {
  const parsed = parseJson(answer.text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (k === keyField || VOLATILE_FIELDS.includes(k) || isSecretName(k) || !PLAIN_FIELD.test(k)) continue;
    if (typeof v === 'number' || typeof v === 'boolean') return { field: k, value: v };
    if (typeof v === 'string' && v.length <= 200 && !v.includes('{{') && new Redactor().text(v) === v)
      return { field: k, value: v };
  }
  return null;
}

export interface LoadTestInput {
  session: { id: number; name: string };
  connection: {
    ordinal: number;
    url: string;
    requestHeaders: Record<string, string>;
    /** Epoch µs of the open. */
    openedAt: number;
    /** Epoch µs of the close, and whether the client sent it first. */
    closedAt: number | null;
    closedByClient: boolean;
  };
  conversation: Conversation;
  /** The connection's application protocol, when one was recognised. */
  protocol: ProtocolName | null;
  idField: string;
  users: number;
  durationSeconds: number;
}

/** A binary message (base64) with the credentials of its packet masked by `r`. */
function maskedBinary(base64: string, r: Redactor): string {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const masked = r.bytes(bytes);
  return masked === bytes ? base64 : btoa(Array.from(masked, (b) => String.fromCharCode(b)).join(''));
}

/** How a protocol spoken as JSON over a plain WebSocket opens, and the heartbeat its client answers. */
const OPENINGS: Partial<
  Record<ProtocolName, { init: string; ack: string; heartbeat?: { ping: string; pong: string } }>
> = {
  'graphql-ws': { init: 'connection_init', ack: 'connection_ack', heartbeat: { ping: 'ping', pong: 'pong' } },
  'subscriptions-transport-ws': { init: 'connection_init', ack: 'connection_ack' },
};

/** The `type` of a JSON message, if it has one. */
function typeOf(m: TimedMessage): string | undefined {
  const v = messageId(m, 'type');
  return typeof v === 'string' ? v : undefined;
}

/**
 * Builds the plan of a script from a recorded connection: every secret replaced, answers to check
 * chosen. An answer is checked only when nothing unasked for (a push, a subscription's stream) came
 * from its request until the next message was sent: Artillery's ws engine hands every message to the
 * step that waits, and a second message for a step that was answered already crashes the run.
 */
export function loadTestPlan(input: LoadTestInput): LoadTestPlan {
  const { redactor, secrets } = envRedactor();
  const c = input.connection;
  const at = (ts: number) => Math.max(0, Math.round((ts - c.openedAt) / 1000));
  const received = input.conversation.received;
  const opening = input.protocol ? OPENINGS[input.protocol] : undefined;
  const pong = opening?.heartbeat?.pong;
  // The client's answers to the server's heartbeats are the script's to give, when the server asks.
  const sent = input.conversation.sent.filter((m) => pong === undefined || typeOf(m) !== pong);
  const pongs = input.conversation.sent.length - sent.length;
  const opens = opening !== undefined && sent[0] !== undefined && typeOf(sent[0]) === opening.init;
  const notes: string[] = [];
  const answers = sent.map((m, i): { answer: TimedMessage; key: Expectation['key'] } | null => {
    if (opens && i === 0) {
      const answer = received.find((x) => x.ts >= m.ts && typeOf(x) === opening.ack);
      return answer ? { answer, key: { field: 'type', value: opening.ack } } : null;
    }
    const id = messageId(m, input.idField);
    if (id === undefined) return null;
    const answer = received.find((x) => x.ts >= m.ts && messageId(x, input.idField) === id);
    return answer ? { answer, key: { field: input.idField, value: id } } : null;
  });
  const answered = new Set(answers.flatMap((a) => (a ? [a.answer] : [])));
  // The server's greeting (a hello before any request) is let pass; an answer is not part of it.
  const greeting = new Set(
    [...greetingOf(input.conversation, input.idField)].filter((g) => !answered.has(g)),
  );
  const unasked = received.filter((x) => !answered.has(x) && !greeting.has(x));
  // A credential inside a binary packet cannot be an environment variable: it is masked in place.
  const packets = new Redactor();
  const steps = sent.map((m, i): LoadTestStep => {
    const a = answers[i];
    const until = Math.max(a?.answer.ts ?? 0, sent[i + 1]?.ts ?? Infinity);
    const checkable = a && !unasked.some((x) => x.ts >= m.ts && x.ts <= until);
    const stable = checkable ? stableField(a.answer, a.key.field) : null;
    return {
      atMs: at(m.ts),
      text: m.opcode === 'text' ? redactor.text(m.text) : maskedBinary(m.text, packets),
      binary: m.opcode === 'binary',
      expect: checkable ? { key: a.key, check: stable } : null,
      answeredAtMs: checkable ? at(a.answer.ts) : null,
    };
  });
  const streamed = steps.filter((s, i) => answers[i] && !s.expect).length;
  if (streamed > 0)
    notes.push(
      `${streamed} answer${streamed === 1 ? ' is' : 's are'} not checked: other messages (a subscription's stream, a push) came in ${streamed === 1 ? 'its' : 'their'} wake`,
    );
  if (pongs > 0)
    notes.push(
      `${pongs} pong${pongs === 1 ? '' : 's'} answering the server's pings ${pongs === 1 ? 'is' : 'are'} left out: k6 answers each ping as it comes; Artillery's ws engine cannot`,
    );
  const lastGreeting = Math.max(-1, ...[...greeting].map((g) => at(g.ts)));
  const settleMs = lastGreeting < 0 ? 0 : lastGreeting * 2 + 200;
  if (packets.total > 0)
    notes.push(
      `the credentials of ${packets.total === 1 ? 'a binary message' : 'binary messages'} (an MQTT CONNECT's password) are masked as "*" in place: put them back for the server to accept the login`,
    );
  const binaries = steps.filter((s) => s.binary).length;
  if (binaries > 0)
    notes.push(
      `${binaries} binary message${binaries === 1 ? '' : 's'} (sent as base64-decoded bytes by k6; Artillery's ws engine sends text only)`,
    );
  const recordedOrigin = recordedHeader(c.requestHeaders, 'origin');
  return {
    sessionId: input.session.id,
    sessionName: input.session.name,
    connection: c.ordinal,
    target: redactor.url(c.url),
    headers: replayableHeaders(c.requestHeaders)
      .filter(([k]) => k.toLowerCase() !== 'user-agent')
      .map(([k, v]) => [k, redactor.header(k, v)]),
    origin: recordedOrigin === null ? null : redactor.url(recordedOrigin),
    subprotocols: redactor.subprotocols(offeredSubprotocols(c.requestHeaders)),
    idField: input.idField,
    protocol: input.protocol,
    opening: opens && steps[0]?.expect !== null,
    heartbeat:
      opening?.heartbeat === undefined
        ? null
        : {
            when: { field: 'type', value: opening.heartbeat.ping },
            answer: JSON.stringify({ type: opening.heartbeat.pong }),
          },
    steps,
    closeAtMs: c.closedByClient && c.closedAt !== null ? at(c.closedAt) : null,
    settleMs,
    users: input.users,
    durationSeconds: input.durationSeconds,
    secrets,
    notes,
  };
}

/** What a plain WebSocket script does, in a sentence. */
function stepsSaid(plan: LoadTestPlan): string {
  const n = plan.steps.length;
  const opening = plan.opening
    ? `, the first (${plan.protocol} opening) awaiting its answer before the others`
    : '';
  return `${n} client message${n === 1 ? '' : 's'} at their recorded times${opening}, each answer paired by "${plan.idField}" checked unless other messages came in its wake`;
}

/** The Artillery script (engine ws) of a plan, as YAML. */
export function artilleryScript(plan: LoadTestPlan): string {
  const env = (name: string) => `{{ $env.${name} }}`;
  const q = (v: string | number | boolean) => yamlValue(v, env);
  const lines = artilleryHead(plan, stepsSaid(plan), q);
  const ws: string[] = [];
  if (plan.headers.length > 0) {
    ws.push('    headers:');
    for (const [k, v] of plan.headers) ws.push(`      ${q(k)}: ${q(v)}`);
  }
  if (plan.subprotocols.length > 0) {
    ws.push('    subprotocols:');
    for (const s of plan.subprotocols) ws.push(`      - ${q(s)}`);
  }
  if (plan.origin !== null) ws.push(`    origin: ${q(plan.origin)}`);
  if (ws.length > 0) lines.push('  ws:', ...ws);
  lines.push(...artilleryScenario(plan, 'ws', q));
  const think = (ms: number) => {
    if (ms >= 1) lines.push(`      - think: ${q(`${Math.round(ms)}ms`)}`);
  };
  // The greeting arrives before the first message and is let pass (no step listens yet).
  think(plan.settleMs);
  let end = plan.settleMs;
  let sends = 0;
  for (const s of plan.steps) {
    if (s.binary) continue;
    think(s.atMs - end);
    sends++;
    if (s.expect) {
      lines.push('      - send:', `          payload: ${q(s.text)}`, '          match:');
      for (const { field, value } of [s.expect.key, ...(s.expect.check ? [s.expect.check] : [])])
        lines.push(`            - json: ${q(childPath('$', field))}`, `              value: ${q(value)}`);
      end = Math.max(s.atMs, s.answeredAtMs ?? s.atMs);
    } else {
      lines.push(`      - send: ${q(s.text)}`);
      end = s.atMs;
    }
  }
  if (plan.closeAtMs !== null) think(plan.closeAtMs - end);
  if (sends === 0) lines.push(`      - think: ${q('1ms')}`);
  return `${lines.join('\n')}\n`;
}

/** How long a k6 run waits for the last answers when the original was not closed by the client. */
const K6_ANSWER_WAIT_MS = 5000;

/** The k6 script (k6/websockets) of a plan. */
export function k6Script(plan: LoadTestPlan): string {
  const headers: Array<[string, string]> = [...plan.headers];
  if (plan.origin !== null) headers.push(['Origin', plan.origin]);
  if (plan.subprotocols.length > 0) headers.push(['Sec-WebSocket-Protocol', plan.subprotocols.join(', ')]);
  const lastEnd = Math.max(0, ...plan.steps.map((s) => Math.max(s.atMs, s.answeredAtMs ?? 0)));
  const closeAt = plan.closeAtMs ?? lastEnd + K6_ANSWER_WAIT_MS;
  const lines = k6Head({ ...plan, headers }, stepsSaid(plan), closeAt);
  lines.push(
    '/** @typedef {{ field: string, value: string | number | boolean }} Field */',
    '/** @typedef {{ key: Field, check: Field | null }} Expectation */',
    '/** @type {Array<{ at: number, send: string, binary: boolean, expect: Expectation | null }>} */',
    'const STEPS = [',
  );
  const field = (f: { field: string; value: string | number | boolean } | null) =>
    f === null ? 'null' : `{ field: ${JSON.stringify(f.field)}, value: ${JSON.stringify(f.value)} }`;
  for (const s of plan.steps) {
    const expect = s.expect ? `{ key: ${field(s.expect.key)}, check: ${field(s.expect.check)} }` : 'null';
    lines.push(`  { at: ${s.atMs}, send: ${jsString(s.text)}, binary: ${s.binary}, expect: ${expect} },`);
  }
  const opened = plan.opening ? (plan.steps[0]?.answeredAtMs ?? 0) : 0;
  lines.push(
    '];',
    `const CLOSE_AT = ${closeAt};`,
    '// The first step opens the protocol: the others go out once its answer came, at their times after it.',
    `const OPENING = ${plan.opening};`,
    `const OPENED_AT = ${opened};`,
    "/** The server's heartbeat the script answers, and the answer. @type {{ when: Field, answer: string } | null} */",
    `const HEARTBEAT = ${plan.heartbeat ? `{ when: ${field(plan.heartbeat.when)}, answer: ${JSON.stringify(plan.heartbeat.answer)} }` : 'null'};`,
    '',
    '/** @param {any} body @param {Field} f */',
    'const has = (body, f) => body[f.field] === f.value;',
    '',
    'export default function () {',
    '  const ws = new WebSocket(TARGET, null, { headers: HEADERS });',
    '  /** @type {Expectation[]} */',
    '  const awaited = [];',
    '  /** @param {{ send: string, binary: boolean, expect: Expectation | null }} step */',
    '  const send = (step) => {',
    '    ws.send(step.binary ? encoding.b64decode(step.send) : step.send);',
    '    if (step.expect) awaited.push(step.expect);',
    '  };',
    '  /** Sends the steps from `first` on at their recorded times, counted from `since`. */',
    '  const run = (/** @type {number} */ first, /** @type {number} */ since) => {',
    '    for (const step of STEPS.slice(first)) setTimeout(() => send(step), Math.max(0, step.at - since));',
    '    setTimeout(() => {',
    '      for (const e of awaited) check(null, { [`an answer with ${e.key.field} ${e.key.value} arrived`]: () => false });',
    '      ws.close();',
    '    }, Math.max(0, CLOSE_AT - since));',
    '  };',
    '  const opening = OPENING ? STEPS[0] : undefined;',
    '  ws.onopen = () => {',
    '    if (opening) send(opening);',
    '    else run(0, 0);',
    '  };',
    '  ws.onmessage = (event) => {',
    "    if (!event || typeof event.data !== 'string') return;",
    '    let body;',
    '    try {',
    '      body = JSON.parse(event.data);',
    '    } catch {',
    '      return;',
    '    }',
    "    if (body === null || typeof body !== 'object') return;",
    '    if (HEARTBEAT && has(body, HEARTBEAT.when)) {',
    '      ws.send(HEARTBEAT.answer);',
    '      return;',
    '    }',
    '    const i = awaited.findIndex((e) => has(body, e.key));',
    '    if (i < 0) return;',
    '    const [e] = awaited.splice(i, 1);',
    '    check(body, {',
    '      [`the answer with ${e.key.field} ${e.key.value} has ${e.check ? `${e.check.field} ${JSON.stringify(e.check.value)}` : "its key"}`]: (b) =>',
    '        e.check === null || has(b, e.check),',
    '    });',
    '    if (opening && e === opening.expect) run(1, OPENED_AT);',
    '  };',
    '  ws.onerror = (event) => {',
    "    check(null, { [`the connection to ${TARGET} works: ${event ? event.error : 'error'}`]: () => false });",
    '  };',
    '}',
  );
  return `${lines.join('\n')}\n`;
}
