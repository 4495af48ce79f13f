// Bad input gets one clear line on stderr, exit code 2, and nothing created or damaged.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, workspace, type Workspace } from '../../support/cli.js';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

async function expectBadInput(args: string[], message: RegExp): Promise<void> {
  const result = await cli(args);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

describe('bad input', () => {
  it('rejects an invalid URL without creating a database', async () => {
    await expectBadInput(['capture', 'not a url', '--db', ws.db], /not a valid URL.*ws:\/\//);
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects an unsupported scheme and suggests the WebSocket one', async () => {
    await expectBadInput(['capture', 'https://example.com/ws', '--db', ws.db], /use wss:\/\//);
    await expectBadInput(['capture', 'ftp://example.com/', '--db', ws.db], /unsupported scheme "ftp"/);
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects an MQTT or STOMP init payload of the wrong shape in one sentence, before anything is created', async () => {
    await expectBadInput(
      [
        'capture',
        'ws://127.0.0.1:9/',
        '--protocol',
        'mqtt',
        '--init-payload',
        '{"keepAlive":"1"}',
        '--db',
        ws.db,
      ],
      /--init-payload for MQTT is an object of keepAlive \(seconds\), .*keepAlive: /,
    );
    await expectBadInput(
      [
        'capture',
        'ws://127.0.0.1:9/',
        '--protocol',
        'stomp',
        '--init-payload',
        '{"pass":"x"}',
        '--db',
        ws.db,
      ],
      /--init-payload for STOMP is an object of host, login, passcode and heartBeat .*pass/,
    );
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects a malformed header', async () => {
    await expectBadInput(
      ['capture', 'ws://127.0.0.1:9/', '-H', 'NoColonHere', '--db', ws.db],
      /"Name: value"/,
    );
    await expectBadInput(['capture', 'ws://127.0.0.1:9/', '-H', 'Bad Name: x', '--db', ws.db], /header name/);
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects an unreadable CA file', async () => {
    await expectBadInput(
      ['capture', 'wss://127.0.0.1:9/', '--ca', join(ws.dir, 'missing.pem'), '--db', ws.db],
      /cannot read the CA file .*missing\.pem \(ENOENT\)/,
    );
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects a CA or key file that holds no PEM, naming the file, before anything is created', async () => {
    const garbage = join(ws.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const db = join(ws.dir, 'frameline.db');
    await expectBadInput(
      ['capture', 'wss://127.0.0.1:9/', '--ca', garbage, '--db', db],
      /^frameline: the CA file .*garbage\.pem holds no PEM certificate/,
    );
    await expectBadInput(
      ['probe', 'wss://127.0.0.1:9/', '--ca', garbage, '--db', db],
      /^frameline: the CA file .*garbage\.pem holds no PEM certificate/,
    );
    expect(readdirSync(ws.dir)).toEqual(['garbage.pem']);
  });

  it('rejects a probe of an invalid URL without creating a database', async () => {
    await expectBadInput(['probe', 'not a url', '--db', ws.db], /not a valid URL/);
    expect(readdirSync(ws.dir)).toEqual([]);
  });

  it('rejects a database path that cannot be written', async () => {
    const file = join(ws.dir, 'plain-file');
    writeFileSync(file, 'x');
    await expectBadInput(
      ['capture', 'ws://127.0.0.1:9/', '--db', join(file, 'frameline.db')],
      /cannot create a database/,
    );
    const dir = join(ws.dir, 'a-directory');
    mkdirSync(dir);
    await expectBadInput(['sessions', '--db', dir], /is not a file/);
  });

  it('refuses a file that is not SQLite and leaves it untouched', async () => {
    const notes = join(ws.dir, 'notes.txt');
    const content = 'incident notes, not a database\n'.repeat(20);
    writeFileSync(notes, content);
    await expectBadInput(['capture', 'ws://127.0.0.1:9/', '--db', notes], /not a SQLite database/);
    await expectBadInput(['sessions', '--db', notes], /not a SQLite database/);
    expect(readFileSync(notes, 'utf8')).toBe(content);
    expect(readdirSync(ws.dir)).toEqual(['notes.txt']);
  });

  it('rejects unknown options, bad numbers and unknown commands', async () => {
    await expectBadInput(
      ['capture', 'ws://127.0.0.1:9/', '--colour', '--db', ws.db],
      /Unknown option '--colour'.*--help/,
    );
    await expectBadInput(
      ['capture', 'ws://127.0.0.1:9/', '--duration', 'soon', '--db', ws.db],
      /--duration must be a number/,
    );
    await expectBadInput(['teleport'], /unknown command "teleport"/);
    await expectBadInput(['show', 'abc', '--db', ws.db], /not a session id/);
    expect(existsSync(ws.db)).toBe(false);
  });

  it('says when a session does not exist', async () => {
    await cli(['capture', 'ws://127.0.0.1:9/', '--db', ws.db, '--connect-timeout', '0.2']);
    await expectBadInput(['show', '42', '--db', ws.db], /no session 42/);
  });
});
