// frameline show SESSION: a session's connections (handshake, timings, close) and, on request, its frames.
import { describeCloseCode } from '../../../shared/close-codes.js';
import type { ConnectionView } from '../../../shared/model.js';
import { InputError } from '../../engine/errors.js';
import { openStore } from '../../engine/store/database.js';
import { listConnections } from '../../engine/sessions/connection-store.js';
import { iterateFrames } from '../../engine/sessions/frame-store.js';
import { getSession } from '../../engine/sessions/session-store.js';
import { parseMicros } from '../../../shared/time.js';
import { dbPath, numberOption, parse, sessionId } from '../args.js';
import { frameLine, out } from '../output.js';

export const help = `frameline show SESSION [--frames] [--limit N] [--json] [--db PATH]

Show a session: each connection's handshake (status, headers, timings), close code and who closed,
and with --frames every frame (time, direction, opcode, size, payload; binary as base64 in JSON).`;

const OPTIONS = {
  frames: { type: 'boolean', default: false },
  limit: { type: 'string' },
} as const;

function describeConnection(c: ConnectionView): string {
  const t = c.timings;
  const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}ms`);
  const lines = [
    `connection ${c.ordinal}  ${c.url}`,
    `  handshake: ${c.status === null ? 'no HTTP answer' : `HTTP ${c.status}`}${c.subprotocol ? `, subprotocol ${c.subprotocol}` : ''}${c.extensions ? `, extensions ${c.extensions}` : ''}`,
    `  timings:   dns ${ms(t.dnsMs)}  tcp ${ms(t.tcpMs)}  tls ${ms(t.tlsMs)}  upgrade ${ms(t.upgradeMs)}`,
    `  frames:    ${c.frames} (${c.bytesIn} B in, ${c.bytesOut} B out)`,
  ];
  if (c.closeCode !== null) {
    const info = describeCloseCode(c.closeCode);
    lines.push(
      `  closed:    ${c.closeCode} ${info.name} by ${c.closedBy}${c.closeReason ? ` "${c.closeReason}"` : ''}`,
    );
    lines.push(`             ${info.meaning}`);
  }
  if (c.error) lines.push(`  error:     ${c.error.kind}: ${c.error.message}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, 'show');
  if (positionals.length > 1)
    throw new InputError(`frameline show takes one session id, got ${positionals.length}`);
  const id = sessionId(positionals[0], 'show');
  const limit = numberOption(values.limit, 'limit', { min: 1, integer: true });
  const db = openStore(dbPath(values), { create: false });
  try {
    const session = getSession(db, id);
    if (!session)
      throw new InputError(`no session ${id} in this database; list them with "frameline sessions"`);
    const connections = listConnections(db, id);
    const frames = values.frames ? iterateFrames(db, id, limit === undefined ? {} : { limit }) : null;
    if (values.json) {
      // Streamed: a million-frame session is written frame by frame, never held in memory.
      const head = JSON.stringify({ session, connections }, null, 2).slice(0, -2);
      if (!frames) {
        await out(`${head}\n}\n`);
        return 0;
      }
      await out(`${head},\n  "frames": [`);
      let first = true;
      for (const f of frames) {
        await out(`${first ? '\n' : ',\n'}    ${JSON.stringify(f)}`);
        first = false;
      }
      await out(`${first ? '' : '\n  '}]\n}\n`);
      return 0;
    }
    await out(
      `session ${session.id}  ${session.name}\n  ${session.status}, ${session.frames} frames, target ${session.target}\n  created ${session.createdAt}${session.endedAt ? `, ended ${session.endedAt}` : ''}\n\n`,
    );
    for (const c of connections) await out(`${describeConnection(c)}\n\n`);
    if (frames) {
      for (const f of frames) {
        const data = Buffer.from(f.payload, f.opcode === 'text' ? 'utf8' : 'base64');
        await out(
          `${frameLine(parseMicros(f.ts), f.direction, f.opcode, f.size, data)}${f.truncated ? '  [truncated]' : ''}\n`,
        );
      }
    }
    return 0;
  } finally {
    db.close();
  }
}
