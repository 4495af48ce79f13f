// STOMP frames as Frameline's STOMP client writes and reads them: COMMAND, header lines, a blank
// line, the body and a NUL; header values escaped as the negotiated version says (1.2: \r \n \c \\;
// 1.1: the same without \r; 1.0 and the CONNECT/CONNECTED frames: none); EOLs between frames are
// heart-beats. A WebSocket message may carry several frames, and a frame may span messages.

import { unescapeStompHeader } from '../../../../shared/protocols/decode-stomp.js';

export type StompVersion = '1.0' | '1.1' | '1.2';

export interface StompFrame {
  command: string;
  /** Header values by name; a repeated header keeps its first value, as the specification says. */
  headers: Record<string, string>;
  body: Buffer;
}

function escapes(command: string, version: StompVersion): boolean {
  return version !== '1.0' && command !== 'CONNECT' && command !== 'CONNECTED' && command !== 'STOMP';
}

function escape(value: string, version: StompVersion): string {
  const out = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/:/g, '\\c');
  return version === '1.2' ? out.replace(/\r/g, '\\r') : out;
}

/** One frame as text, headers escaped as `version` says. */
export function encodeFrame(
  command: string,
  headers: Record<string, string>,
  version: StompVersion,
  body = '',
): string {
  const esc = escapes(command, version);
  const lines = Object.entries(headers).map(
    ([k, v]) => `${esc ? escape(k, version) : k}:${esc ? escape(v, version) : v}`,
  );
  return `${command}\n${lines.map((l) => `${l}\n`).join('')}\n${body}\0`;
}

/** The heart-beat a client sends: one EOL. */
export const HEARTBEAT = '\n';

const LF = 0x0a;
const CR = 0x0d;

/** Cuts a byte stream into STOMP frames and heart-beats, keeping an incomplete tail. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);
  /** Header escaping follows the version CONNECTED named (1.0 until then: CONNECTED itself is not escaped). */
  version: StompVersion = '1.0';

  push(chunk: Buffer): { frames: StompFrame[]; heartbeats: number } {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: StompFrame[] = [];
    let heartbeats = 0;
    for (;;) {
      let at = 0;
      while (this.pending[at] === LF || (this.pending[at] === CR && this.pending[at + 1] === LF)) {
        at += this.pending[at] === CR ? 2 : 1;
        heartbeats++;
      }
      this.pending = this.pending.subarray(at);
      if (this.pending.length === 0) break;
      const frame = this.frame();
      if (!frame) break;
      frames.push(frame);
    }
    return { frames, heartbeats };
  }

  /** The frame at the start of the pending bytes, consumed; null while it is incomplete. */
  private frame(): StompFrame | null {
    const b = this.pending;
    const lines: string[] = [];
    let at = 0;
    for (;;) {
      const end = b.indexOf(LF, at);
      if (end < 0) return null;
      const line = b.toString('utf8', at, end > at && b[end - 1] === CR ? end - 1 : end);
      at = end + 1;
      if (line === '') break;
      lines.push(line);
    }
    const command = lines.shift();
    if (command === undefined) throw new Error('a STOMP frame without a command');
    const esc = escapes(command, this.version);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon < 0) throw new Error(`a STOMP header line without a colon: ${JSON.stringify(line)}`);
      const name = esc
        ? unescapeStompHeader(line.slice(0, colon), { version: this.version, strict: true })
        : line.slice(0, colon);
      const value = esc
        ? unescapeStompHeader(line.slice(colon + 1), { version: this.version, strict: true })
        : line.slice(colon + 1);
      if (!(name in headers)) headers[name] = value;
    }
    const declared = headers['content-length'];
    let bodyEnd: number;
    if (declared !== undefined && /^\d+$/.test(declared)) {
      bodyEnd = at + Number(declared);
      if (b.length <= bodyEnd) return null;
      if (b[bodyEnd] !== 0)
        throw new Error(
          `a STOMP ${command} frame whose body does not end with NUL after content-length ${declared}`,
        );
    } else {
      bodyEnd = b.indexOf(0, at);
      if (bodyEnd < 0) return null;
    }
    const frame = { command, headers, body: Buffer.from(b.subarray(at, bodyEnd)) };
    this.pending = b.subarray(bodyEnd + 1);
    return frame;
  }
}
