// Connections that send messages and get nothing back.
import { finding } from '../findings.js';
import type { ConnectionFrames } from './facts.js';
import type { DiagConnection, Micros, RuleResult } from './input.js';
import { minOf, round1 } from './stats.js';

/** Silence after the first message sent that counts as "nothing comes back". */
export const SILENCE_SECONDS = 2;

/** Messages sent and received; no-messages for a connection that heard nothing back. */
export function messagesRule(
  connections: readonly DiagConnection[],
  frames: ReadonlyMap<number, ConnectionFrames>,
  sessionEnd: Micros | null,
): RuleResult {
  let sent = 0;
  let received = 0;
  const silent: Array<{ connection: number; sent: number; waitedSeconds: number }> = [];
  for (const c of connections) {
    if (c.openedAt === null) continue;
    const f = frames.get(c.ordinal);
    if (!f) continue;
    sent += f.dataOut;
    received += f.dataIn;
    if (f.dataOut === 0 || f.dataIn > 0 || f.firstDataOutTs === null) continue;
    const end = c.closedAt ?? sessionEnd ?? f.lastTs ?? f.firstDataOutTs;
    const waited = (end - f.firstDataOutTs) / 1e6;
    if (waited >= SILENCE_SECONDS)
      silent.push({ connection: c.ordinal, sent: f.dataOut, waitedSeconds: round1(waited) });
  }
  const findings =
    silent.length === 0
      ? []
      : [
          finding(
            'no-messages',
            `${silent.length} connection${silent.length === 1 ? '' : 's'} sent ${silent.reduce((n, s) => n + s.sent, 0)} messages and received none back in ${minOf(silent.map((s) => s.waitedSeconds))} s or more.`,
            {
              connections: silent.length,
              sent: silent.reduce((n, s) => n + s.sent, 0),
              received: 0,
              waitedSeconds: minOf(silent.map((s) => s.waitedSeconds)),
              ordinals: silent.map((s) => s.connection).slice(0, 20),
            },
          ),
        ];
  return {
    check: {
      name: 'messages',
      ok: findings.length === 0,
      ms: null,
      detail: { sent, received, silentConnections: silent.length },
    },
    findings,
  };
}
