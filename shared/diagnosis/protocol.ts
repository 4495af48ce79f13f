// Connections the client closed itself because the server broke RFC 6455 (a masked frame, text
// that is not UTF-8, reserved bits, a message above the limit) or ignored the client's close: the
// close code is the client's (1002, 1007, 1009, or its own 1000 left unanswered), and the network
// is not to blame. In a mock's session the roles turn: the mock (the server) closed, and the client
// under test broke the protocol.
import { finding, type Finding, type Severity } from '../findings.js';
import type { DiagConnection, DiagEvent, RuleResult } from './input.js';
import { countBy } from './stats.js';

/** One violation as the capture recorded it (event `protocol-violation`). */
export interface Violation {
  connection: number;
  violation: string;
  closeCode: number | null;
  message: string;
  /**
   * Who closed: the side that found the violation ('client' in a capture, 'server' in a mock,
   * 'relay' when Frameline's relay found one of its two peers breaking it).
   */
  closedBy: 'client' | 'server' | 'relay';
}

/** Violations that only say the server was sloppy about closing, not that it sent bad frames. */
const CLOSING_ONLY = new Set(['close-unanswered']);

function record(detail: unknown): { violation?: unknown; closeCode?: unknown; message?: unknown } {
  return detail !== null && typeof detail === 'object' ? (detail as Record<string, unknown>) : {};
}

/** The violations of a session, from its events, else from the connections' errors. */
export function violations(
  connections: readonly DiagConnection[],
  events: readonly DiagEvent[],
): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<number>();
  const closer = new Map(
    connections.map(
      (c) => [c.ordinal, c.closedBy === 'server' || c.closedBy === 'relay' ? c.closedBy : 'client'] as const,
    ),
  );
  for (const e of events) {
    if (e.kind !== 'protocol-violation' || e.connection === null) continue;
    const d = record(e.detail);
    seen.add(e.connection);
    out.push({
      connection: e.connection,
      violation: typeof d.violation === 'string' ? d.violation : 'protocol-error',
      closeCode: typeof d.closeCode === 'number' ? d.closeCode : null,
      message: typeof d.message === 'string' ? d.message : '',
      closedBy: closer.get(e.connection) ?? 'client',
    });
  }
  for (const c of connections) {
    if (seen.has(c.ordinal) || c.closedBy === null || c.closedBy === 'network') continue;
    if (c.error?.kind !== 'protocol') continue;
    out.push({
      connection: c.ordinal,
      violation: 'protocol-error',
      closeCode: c.closeCode,
      message: c.error.message,
      closedBy: c.closedBy,
    });
  }
  return out.sort((a, b) => a.connection - b.connection);
}

/** The protocol check and the protocol-violation finding of a session. */
export function protocolRule(
  connections: readonly DiagConnection[],
  events: readonly DiagEvent[],
): RuleResult {
  const found = violations(connections, events);
  const findings: Finding[] = [];
  if (found.length > 0) {
    const framing = found.filter((v) => !CLOSING_ONLY.has(v.violation));
    const worst = framing[0] ?? found[0]!;
    const kinds = countBy(found, (v) => v.violation);
    const severity: Severity =
      framing.length === 0
        ? 'warning'
        : framing.every((v) => v.violation === 'oversize')
          ? 'warning'
          : 'critical';
    findings.push(
      finding(
        'protocol-violation',
        `${found.length} connection${found.length === 1 ? ' was' : 's were'} closed by ${worst.closedBy === 'relay' ? "Frameline's relay because one of its peers" : `the ${worst.closedBy} because the ${worst.closedBy === 'server' ? 'client' : 'server'}`} broke the WebSocket protocol: ${worst.message}.`,
        {
          violations: kinds,
          closeCodes: countBy(found, (v) => String(v.closeCode ?? 'none')),
          connections: found.map((v) => v.connection).slice(0, 20),
          first: {
            connection: worst.connection,
            violation: worst.violation,
            closeCode: worst.closeCode,
            message: worst.message,
          },
        },
        severity,
      ),
    );
  }
  return {
    check: {
      name: 'protocol',
      ok: found.length === 0,
      ms: null,
      detail: { violations: countBy(found, (v) => v.violation) },
    },
    findings,
  };
}
