// How a frame's direction and opcode are numbered in the spool and the database: one place for
// both mappings, read by the recorder, the writer, the store and the fixtures.
import type { Direction, Opcode } from './contract/sessions.js';

/** Wire opcodes of RFC 6455, the numbers stored in the database. */
export const OPCODE_NUMBER: Readonly<Record<Opcode, number>> = {
  continuation: 0,
  text: 1,
  binary: 2,
  close: 8,
  ping: 9,
  pong: 10,
};

/** Opcode names by wire number. */
export const OPCODE_NAME: Readonly<Record<number, Opcode>> = {
  0: 'continuation',
  1: 'text',
  2: 'binary',
  8: 'close',
  9: 'ping',
  10: 'pong',
};

/** The stored number of a direction: 0 for frames received, 1 for frames sent. */
export type DirectionCode = 0 | 1;

/** The stored number of a direction. */
export function directionCode(direction: Direction): DirectionCode {
  return direction === 'in' ? 0 : 1;
}

/** A direction from its stored number. */
export function directionOf(code: number): Direction {
  return code === 0 ? 'in' : 'out';
}

/** An opcode from its stored number (unknown numbers read as binary). */
export function opcodeOf(code: number): Opcode {
  return OPCODE_NAME[code] ?? 'binary';
}
