// Small builders of plain session data for the rule tests: times in seconds, turned into epoch µs.
import type { DiagConnection, DiagFrame, SessionData } from '../../../shared/diagnosis/input.js';

export const T0 = 1_800_000_000_000_000; // epoch µs
export const at = (seconds: number) => T0 + Math.round(seconds * 1e6);

export function conn(
  ordinal: number,
  o: Partial<DiagConnection> & { start?: number; open?: number | null; close?: number | null } = {},
): DiagConnection {
  const start = o.start ?? 0;
  const open = o.open === undefined ? start + 0.01 : o.open;
  const close = o.close === undefined ? null : o.close;
  return {
    ordinal,
    url: 'ws://127.0.0.1:8080/ws',
    startedAt: at(start),
    openedAt: open === null ? null : at(open),
    closedAt: close === null ? null : at(close),
    status: open === null ? null : 101,
    requestHeaders: {},
    responseHeaders: {},
    responseBodyHead: null,
    closeCode: null,
    closeReason: null,
    closedBy: null,
    error: null,
    ...o,
  };
}

export function frame(
  connection: number,
  seconds: number,
  direction: 'in' | 'out',
  opcode: DiagFrame['opcode'],
  extra: Partial<DiagFrame> = {},
): DiagFrame {
  return { connection, ts: at(seconds), direction, opcode, size: 10, ...extra };
}

export function session(
  connections: DiagConnection[],
  frames: DiagFrame[] = [],
  extra: Partial<SessionData> = {},
): SessionData {
  return {
    target: 'ws://127.0.0.1:8080/ws',
    origin: null,
    connections,
    frames: [...frames].sort((a, b) => a.ts - b.ts),
    events: [],
    endedAt: null,
    ...extra,
  };
}
