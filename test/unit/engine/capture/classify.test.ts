import * as wsModule from 'ws';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../../../electron/engine/capture/classify.js';

const url = new URL('wss://api.example.com:8443/live');

function err(message: string, code?: string): Error {
  const e = new Error(message) as NodeJS.ErrnoException;
  if (code !== undefined) e.code = code;
  return e;
}

/** Feeds a frame with a reserved opcode to ws's own client-side parser and returns the error it raises. */
function realInvalidOpcodeError(): Promise<Error> {
  const { Receiver } = wsModule as unknown as { Receiver: new (o: object) => NodeJS.WritableStream };
  const receiver = new Receiver({ isServer: false });
  return new Promise((resolve) => {
    receiver.on('error', (e: Error) => resolve(e));
    receiver.write(Buffer.from([0x83, 0x00])); // FIN, opcode 3 (reserved), unmasked, empty
  });
}

describe('classifyError', () => {
  it('ECONNREFUSED is refused, naming host and port', () => {
    const r = classifyError(err('connect ECONNREFUSED 10.0.0.1:8443', 'ECONNREFUSED'), url);
    expect(r.kind).toBe('refused');
    expect(r.message).toContain('api.example.com:8443');
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN'])('%s is dns', (code) => {
    const r = classifyError(err(`getaddrinfo ${code} api.example.com`, code), url);
    expect(r.kind).toBe('dns');
    expect(r.message).toContain('api.example.com');
  });

  it("ws's handshake timeout is timeout", () => {
    const r = classifyError(err('Opening handshake has timed out'), url);
    expect(r.kind).toBe('timeout');
    expect(r.message).toContain('Opening handshake has timed out');
  });

  it('ETIMEDOUT is timeout', () => {
    expect(classifyError(err('connect ETIMEDOUT 10.0.0.1:8443', 'ETIMEDOUT'), url).kind).toBe('timeout');
  });

  it('ECONNRESET is reset', () => {
    const r = classifyError(err('read ECONNRESET', 'ECONNRESET'), url);
    expect(r.kind).toBe('reset');
    expect(r.message).toContain('ECONNRESET');
  });

  it.each([
    ['self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['certificate has expired', 'CERT_HAS_EXPIRED'],
    ["Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'],
  ])('"%s" (%s) is tls', (message, code) => {
    const r = classifyError(err(message, code), url);
    expect(r.kind).toBe('tls');
    expect(r.message).toContain(code);
  });

  it('a WS_ERR_INVALID_OPCODE raised by ws is protocol', async () => {
    const e = await realInvalidOpcodeError();
    expect((e as NodeJS.ErrnoException).code).toBe('WS_ERR_INVALID_OPCODE');
    const r = classifyError(e, url);
    expect(r.kind).toBe('protocol');
    expect(r.message).toContain(e.message);
  });

  it('a WS_ERR_INVALID_OPCODE built by hand is protocol', () => {
    const r = classifyError(err('Invalid WebSocket frame: invalid opcode 3', 'WS_ERR_INVALID_OPCODE'), url);
    expect(r.kind).toBe('protocol');
  });

  it('an unexpected server response is upgrade-rejected', () => {
    const r = classifyError(err('Unexpected server response: 403'), url);
    expect(r.kind).toBe('upgrade-rejected');
    expect(r.message).toBe('Unexpected server response: 403');
  });

  it('a proxy tunnel failure is proxy', () => {
    expect(classifyError(err('Proxy CONNECT failed with 407'), url).kind).toBe('proxy');
  });

  it('anything else is other and keeps the message and code', () => {
    const r = classifyError(err('something odd', 'EWHATEVER'), url);
    expect(r).toEqual({ kind: 'other', message: 'something odd (EWHATEVER)' });
  });
});
