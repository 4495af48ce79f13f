// frameline show SESSION: a session's connections (handshake, timings, close) and, on request, its frames.
import { z } from 'zod';
import { describeScriptEvent } from '../../../shared/capture-script.js';
import { describeCloseCode } from '../../../shared/close-codes.js';
import { legsLabel, relayCloser } from '../../../shared/charts/connection-class.js';
import {
  RECORD_PAGE_FRAMES,
  type Api,
  type ConnectionView,
  type FrameRecord,
  type Headers,
} from '../../../shared/contract.js';
import { plural } from '../../../shared/words.js';
import { Redactor } from '../../../shared/redaction.js';
import { numberIn } from '../../../shared/contract/fields.js';
import { DamageTally, damageKindOf } from '../../../shared/frame-damage.js';
import { payloadMatcher } from '../../../shared/payload-query.js';
import { parseMicros } from '../../../shared/time.js';
import { messageLabel } from '../../../shared/protocols/decode.js';
import { scorecardLines } from '../../../shared/scorecard-text.js';
import { InputError } from '../../engine/errors.js';
import { parse, positionals, requestFrom, sessionId } from '../args.js';
import { openCliEngine } from '../engine.js';
import { damageNote, frameLine, out } from '../output.js';

export const help = `frameline show SESSION [--frames] [--limit N] [--grep REGEX] [--where JSONPATH] [--json] [--db PATH]

Show a session: each connection's handshake (status, headers, timings), close code and who closed,
the scorecard of the runbooks' success metrics (connection success, connected time, message
delivery, heartbeat and reconnection success, each against its threshold, with the counts behind
it), and with --frames every frame (time, direction, opcode, size, payload; binary as base64 in JSON);
--limit N shows the first N frames and says how many more there are. In text, secrets in headers
read "***" (JSON keeps them whole).
--grep keeps the text frames whose payload matches a regular expression (error|fail, or /timeout/i);
--where those whose JSON matches a JSONPath condition ($.type == "error", $.data.items[0].id,
$.error; == != < > <= >= with a "string" or a number). Both may be given; both imply --frames.
A frame whose stored bytes failed their check is shown as damaged, without its bytes ("damaged":
true and "damage" in JSON); the command then says how many on stderr and exits with 1.`;

const OPTIONS = {
  frames: { type: 'boolean', default: false },
  limit: { type: 'string' },
  grep: { type: 'string' },
  where: { type: 'string' },
} as const;

function describeConnection(c: ConnectionView): string {
  const t = c.timings;
  const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}ms`);
  const lines = [
    `connection ${c.ordinal}  ${c.url}`,
    `  handshake: ${c.status === null ? 'no HTTP answer' : `HTTP ${c.status}`}${c.subprotocol ? `, subprotocol ${c.subprotocol}` : ''}${c.extensions ? `, extensions ${c.extensions}` : ''}`,
    ...(c.protocol ? [`  protocol:  ${c.protocol}`] : []),
    `  timings:   dns ${ms(t.dnsMs)}  tcp ${ms(t.tcpMs)}  tls ${ms(t.tlsMs)}  upgrade ${ms(t.upgradeMs)}`,
    `  frames:    ${c.frames} (${c.bytesIn} B in, ${c.bytesOut} B out)`,
    ...headerLines('request headers', c.requestHeaders),
    ...headerLines('response headers', c.responseHeaders),
  ];
  if (c.closeCode !== null) {
    const info = describeCloseCode(c.closeCode);
    // When, and how long nothing had crossed before: a steady silence before a cut is an idle timeout.
    const at = c.closedAt ? ` at ${c.closedAt.slice(11, 23)} UTC` : '';
    const quiet =
      c.closedAt && c.lastFrameTs
        ? `, ${((parseMicros(c.closedAt) - parseMicros(c.lastFrameTs)) / 1e6).toFixed(1)} s after the last frame`
        : '';
    const by = c.closedBy === 'relay' ? relayCloser(c) : c.closedBy;
    lines.push(
      `  closed:    ${c.closeCode} ${info.name} by ${by}${at}${quiet}${c.closeReason ? ` "${c.closeReason}"` : ''}`,
    );
    lines.push(`             ${info.meaning}`);
  } else if (c.closedBy === 'relay') lines.push(`  closed:    by ${relayCloser(c)}`);
  const legs = legsLabel(c);
  if (legs) lines.push(`  legs:      ${legs}`);
  if (c.error) lines.push(`  error:     ${c.error.kind}: ${c.error.message}`);
  return lines.join('\n');
}

/** A connection's headers, one a line, secrets redacted as every output that may be pasted does. */
function headerLines(title: string, headers: Headers): string[] {
  const entries = Object.entries(new Redactor().headers(headers));
  return entries.length ? [`  ${title}:`, ...entries.map(([k, v]) => `    ${k}: ${v}`)] : [];
}

/** How many frames `--limit` may ask for. */
const LimitSchema = z.object({
  limit: numberIn(1, Number.MAX_SAFE_INTEGER, 'frames', { integer: true }).optional(),
});

/**
 * A session's frames with whole payloads, in order, page by page (`sessions:records`): a
 * million-frame session is written frame by frame, never held in memory. At most `limit` frames.
 */
async function* frameRecords(
  api: Api,
  id: number,
  limit = Infinity,
  search: { grep?: string; where?: string } = {},
): AsyncGenerator<FrameRecord> {
  let afterSeq = 0;
  let left = limit;
  while (left > 0) {
    const page = await api.sessions.records({
      id,
      afterSeq,
      limit: Math.min(RECORD_PAGE_FRAMES, left),
      ...search,
    });
    yield* page.frames;
    left -= page.frames.length;
    if (page.next === null) return;
    afterSeq = page.next;
  }
}

/** Where an interrupted session's spool went when it could not simply be committed. */
function spoolNotes(events: Array<{ kind: string; detail: unknown }>): string[] {
  const notes: string[] = [];
  let pending: string | null = null;
  for (const e of events) {
    if (e.kind !== 'session-interrupted' && e.kind !== 'spool-committed') continue;
    const d = (e.detail ?? {}) as Record<string, unknown>;
    if (typeof d.damagedSpool === 'string')
      notes.push(`damaged spool kept at ${d.damagedSpool} (${String(d.spoolError ?? 'unreadable')})`);
    pending =
      e.kind === 'session-interrupted' && typeof d.spoolPending === 'string'
        ? `frames not committed yet wait in ${d.spoolPending}; they are committed the next time the database is opened with space free`
        : null;
  }
  return pending ? [...notes, pending] : notes;
}

/** The conversation script's steps as they ran, one line each, with their time. */
function scriptLines(
  events: Array<{ ts: string; connection: number | null; kind: string; detail: unknown }>,
): string[] {
  const lines: string[] = [];
  for (const e of events) {
    const text = describeScriptEvent(e.kind, e.detail);
    if (text !== null) lines.push(`${e.ts.slice(11, 23)}  ${text}`);
  }
  return lines;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'show');
  const [raw] = positionals(args, 'show', { max: 1, what: 'session id' });
  const id = sessionId(raw, 'show');
  const { limit } = requestFrom(LimitSchema, values, { limit: { field: 'limit', kind: 'number' } });
  const search = {
    ...(values.grep !== undefined ? { grep: values.grep } : {}),
    ...(values.where !== undefined ? { where: values.where } : {}),
  };
  for (const [flag, value] of Object.entries(search))
    if (!value.trim())
      throw new InputError(
        `--${flag} needs a ${flag === 'grep' ? 'regular expression' : 'JSONPath condition'}`,
      );
  try {
    // Refused before anything is printed (the engine checks it again on every page).
    payloadMatcher(search);
  } catch (err) {
    throw new InputError((err as Error).message, { cause: err });
  }
  const withFrames = values.frames || Object.keys(search).length > 0;
  if (limit !== undefined && !withFrames)
    throw new InputError('--limit counts frames: add --frames, or drop --limit');
  const engine = openCliEngine(values, { create: false });
  try {
    const { session, connections, events } = await engine.api.sessions.get({ id });
    const { scorecard } = await engine.api.diagnose.scorecard({ sessionId: id });
    const frames = withFrames ? frameRecords(engine.api, id, limit, search) : null;
    const damage = new DamageTally();
    /** Exit code once every frame is out: 1 when some were damaged (a failed check). */
    const done = async (): Promise<number> => {
      if (damage.frames === 0) return 0;
      const d = damage.summary();
      damageNote(id, d, d.missing > 0 ? await engine.api.sessions.missingSegments({ id }) : []);
      return 1;
    };
    if (values.json) {
      // Streamed: a million-frame session is written frame by frame, never held in memory.
      const script = events.filter((e) => e.kind.startsWith('script-'));
      const head = JSON.stringify(
        { session, connections, scorecard, ...(script.length ? { script } : {}) },
        null,
        2,
      ).slice(0, -2);
      if (!frames) {
        await out(`${head}\n}\n`);
        return 0;
      }
      await out(`${head},\n  "frames": [`);
      let first = true;
      try {
        for await (const f of frames) {
          if (f.damaged) damage.add(f.seq, damageKindOf(f.damage ?? ''));
          await out(`${first ? '\n' : ',\n'}    ${JSON.stringify(f)}`);
          first = false;
        }
      } finally {
        // The document is closed whatever stopped the frames (the error, if any, follows on stderr).
        await out(`${first ? '' : '\n  '}]\n}\n`);
      }
      return await done();
    }
    await out(
      `session ${session.id}  ${session.name}\n  ${session.status}, ${session.frames} frames, target ${session.target}\n  created ${session.createdAt}${session.endedAt ? `, ended ${session.endedAt}` : ''}\n\n`,
    );
    for (const line of spoolNotes(events)) await out(`  ${line}\n\n`);
    for (const c of connections) await out(`${describeConnection(c)}\n\n`);
    await out(
      `scorecard (the runbooks' success metrics)\n${scorecardLines(scorecard)
        .map((l) => `  ${l}\n`)
        .join('')}\n`,
    );
    const script = scriptLines(events);
    if (script.length) await out(`  script\n${script.map((l) => `    ${l}\n`).join('')}\n`);
    if (frames) {
      let printed = 0;
      for await (const f of frames) {
        printed++;
        const data = Buffer.from(f.payload, f.opcode === 'text' ? 'utf8' : 'base64');
        if (f.damaged) damage.add(f.seq, damageKindOf(f.damage ?? ''));
        await out(
          `${frameLine(parseMicros(f.ts), f.direction, f.opcode, f.size, data, messageLabel(f.message ?? null))}${f.damaged ? `[damaged: ${f.damage}]` : ''}${f.truncated ? '  [truncated]' : ''}\n`,
        );
      }
      if (limit !== undefined) {
        // A search counts its matches over the whole session (the engine keeps them for the pages).
        const searched = Object.keys(search).length > 0;
        const total = searched
          ? (await engine.api.sessions.frames({ id, filter: search, offset: 0, limit: 1 })).total
          : session.frames;
        const more = total - printed;
        if (more > 0)
          await out(
            `… ${plural(more, searched ? 'more matching frame' : 'more frame')}: raise --limit, or drop it to see them all\n`,
          );
      }
    }
    return await done();
  } finally {
    await engine.close();
  }
}
