// From argv to contract requests: flags named in every complaint, values as given, negative numbers
// read as values, and options that only mean something with another.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureRequestSchema } from '../../../shared/contract.js';
import {
  dbPath,
  parse,
  parseHeader,
  positionals,
  readPemFile,
  requestFrom,
  type Flag,
} from '../../../electron/cli/args.js';
import { selfSigned, type CertPair } from '../../support/certs.js';
import { prepareCapture } from '../../../electron/engine/capture/options.js';
import { InputError } from '../../../electron/engine/errors.js';
import { thrown } from '../../support/thrown.js';

describe('parseHeader', () => {
  it('parses "Name: value", trimming around both and keeping colons in the value', () => {
    expect(parseHeader('Authorization: Bearer abc.def')).toEqual(['Authorization', 'Bearer abc.def']);
    expect(parseHeader('  X-Trace :  a:b:c  ')).toEqual(['X-Trace', 'a:b:c']);
    expect(parseHeader('X-Empty:')).toEqual(['X-Empty', '']);
  });
  it.each(['novalue', ': value', ''])('refuses %j as malformed', (raw) => {
    expect(thrown(() => parseHeader(raw)).message).toMatch(/Name: value/);
  });
});

const OPTIONS = {
  timeout: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  reconnect: { type: 'boolean', default: false },
  'reconnect-base': { type: 'string' },
} as const;
const FLAGS: Record<string, Flag> = {
  timeout: { field: 'connectTimeoutSeconds', kind: 'number' },
  header: { field: 'headers', kind: 'headers' },
  'reconnect-base': { field: 'reconnect.baseMs', kind: 'number', needs: 'reconnect' },
};

function request(argv: string[]) {
  const { values } = parse(argv, OPTIONS, 'capture');
  return requestFrom(CaptureRequestSchema, values, FLAGS, {
    url: 'ws://localhost/',
    ...(values.reconnect ? { reconnect: {} } : {}),
  });
}

describe('requestFrom', () => {
  it('fills the request from the flags, nested fields over the defaults', () => {
    const r = request(['--timeout', '2.5', '-H', 'X-A: 1', '--reconnect', '--reconnect-base', '100']);
    expect(r.connectTimeoutSeconds).toBe(2.5);
    expect(r.headers).toEqual([['X-A', '1']]);
    expect(r.reconnect).toEqual({
      baseMs: 100,
      maxMs: 30_000,
      factor: 2,
      jitter: 0.2,
      attempts: 10,
      giveUpOnRefusal: false,
    });
  });

  it('names the flag and the value given, in the schema’s words', () => {
    const err = thrown(() => request(['--timeout', 'soon']));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe('--timeout must be a number from 0.001 to 31536000 seconds, not "soon"');
  });

  it('reads a negative number as the value of its option, in one line', () => {
    const err = thrown(() => request(['--timeout', '-1']));
    expect(err.message).toBe('--timeout must be a number from 0.001 to 31536000 seconds, not "-1"');
    expect(err.message).not.toContain('\n');
  });

  it('names the header that holds a control character', () => {
    const err = thrown(() => request(['-H', 'X-Ok: 1', '-H', 'X-Bad: a\u0001b']));
    expect(err.message).toMatch(
      /^--header a header value cannot hold control characters.*not "X-Bad: a\\u0001b"$/,
    );
  });

  it('names the flag, in one line, when a list item it did not give is refused', () => {
    const flags: Record<string, Flag> = { ...FLAGS, subprotocol: { field: 'subprotocols', kind: 'list' } };
    const err = thrown(() =>
      requestFrom(CaptureRequestSchema, {}, flags, { url: 'ws://localhost/', subprotocols: ['chat', 'a b'] }),
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe("--subprotocol a subprotocol is a token: letters, digits and !#$%&'*+-.^_`|~");
  });

  it('refuses an option given without the one it belongs to', () => {
    expect(thrown(() => request(['--reconnect-base', '100'])).message).toBe(
      '--reconnect-base only works with --reconnect; add --reconnect or drop --reconnect-base',
    );
  });
});

describe('positionals and --db', () => {
  it('refuses arguments a command does not take, naming them', () => {
    expect(thrown(() => positionals(['extra'], 'sessions')).message).toMatch(
      /frameline sessions takes no arguments, got 1: "extra" is one too many/,
    );
    expect(positionals(['ws://x'], 'capture', { min: 1 })).toEqual(['ws://x']);
  });
  it('refuses an empty --db instead of using the desktop app’s database', () => {
    expect(thrown(() => dbPath({ db: '' })).message).toMatch(/--db is empty/);
    expect(dbPath({ db: 'x.db' })).toBe('x.db');
  });
});

describe('--ca, --cert and --key files', () => {
  let dir: string;
  let pair: CertPair;
  const CA = 'CA';
  const PEM_FLAGS: Record<string, Flag> = {
    ca: { field: 'caPem', kind: 'pem', pem: { what: 'CA', file: 'ca' } },
    key: { field: 'keyPem', kind: 'pem', pem: { what: 'client key', file: 'key' } },
    cert: { field: 'certPem', kind: 'pem', pem: { what: 'client certificate', file: 'cert' } },
  };
  const request = (values: Record<string, string>) =>
    requestFrom(CaptureRequestSchema, values, PEM_FLAGS, { url: 'wss://localhost:1/' });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'frameline-pem-'));
    pair = selfSigned(dir, 'server', 'localhost');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are read here and sent as their PEM text, with their names for the engine’s sentences', () => {
    expect(readPemFile(pair.certFile, CA)).toBe(pair.cert.toString());
    expect(readPemFile(pair.keyFile, 'client key')).toBe(pair.key.toString());
    const sent = request({ ca: pair.certFile });
    expect(sent.caPem).toBe(pair.cert.toString());
    expect(sent.pemFiles).toEqual({ ca: pair.certFile });
    expect(sent).not.toHaveProperty('caFile');
  });

  it('that cannot be read, or are not PEM, are refused in one line naming the file', () => {
    const missing = join(dir, 'missing.pem');
    expect(thrown(() => readPemFile(missing, CA)).message).toBe(
      `cannot read the CA file ${missing} (ENOENT); check the path`,
    );
    expect(thrown(() => readPemFile(dir, CA)).message).toMatch(/^the CA file .* is a directory, not a file/);
    // What the text holds is checked once, by the engine, which names the file the request names.
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    expect(thrown(() => prepareCapture(request({ ca: garbage }))).message).toMatch(
      /^the CA file .*garbage\.pem holds no PEM certificate/,
    );
    expect(thrown(() => prepareCapture(request({ cert: pair.certFile, key: garbage }))).message).toMatch(
      /^the client key file .*garbage\.pem is not an unencrypted private key/,
    );
  });

  it('are bounded: a file past 1 MiB, or a device that never ends, is refused after 1 MiB', () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, `${pair.cert.toString()}${'#'.repeat(1024 * 1024)}`);
    const err = thrown(() => readPemFile(big, CA));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `the CA file ${big} holds ${statSync(big).size.toLocaleString('en-US')} bytes; it may hold at most 1 MiB`,
    );
    expect(thrown(() => readPemFile('/dev/zero', CA)).message).toBe(
      'the CA file /dev/zero is a device, not a file; give a regular file of at most 1 MiB',
    );
  });
});
