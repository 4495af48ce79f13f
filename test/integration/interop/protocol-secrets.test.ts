// The credentials a protocol's opening carries, recorded from real servers by `frameline capture`,
// never leave in an export with redaction on (the default): an MQTT CONNECT's password in a binary
// frame (written as base64 in HAR and NDJSON, as a message to send in the k6 script), a STOMP
// CONNECT's passcode header, a graphql-ws connection_init payload's token. With --no-redact each is
// there, so each case can fail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mosquittoMissing, startMosquitto } from '../../servers/mosquitto.js';
import { graphqlWsServer } from '../../servers/graphql-ws.js';
import { rabbitmqMissing, startRabbitMq } from '../../servers/rabbitmq.js';
import { cli, cliJson, workspace, type Workspace } from '../../support/cli.js';
import { canary, EXPORT_FORMATS, expectNoSecrets, leaksIn } from '../../support/secrets.js';
import { protocolToolMissing } from '../../support/test-tools.js';

let ws: Workspace;

beforeEach(() => {
  ws = workspace();
});

afterEach(() => {
  ws.cleanup();
});

/** Captures with `args` into the workspace's database; returns the session's id. */
async function capture(args: string[]): Promise<number> {
  const { json } = await cliJson<{ session: { id: number } }>(['capture', ...args, '--db', ws.db]);
  return json.session.id;
}

/** The session's exports in each format, with the extra flags given. */
async function exports(
  session: number,
  formats: readonly string[],
  extra: string[] = [],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const format of formats) {
    const r = await cli(['export', String(session), '--format', format, ...extra, '--db', ws.db]);
    expect(r.code, `${format}: ${r.stderr}`).toBe(0);
    out[format] = r.stdout;
    out[`${format} (stderr)`] = r.stderr;
  }
  return out;
}

/** Redacted, no canary in any export; unredacted, each canary in the HAR and the NDJSON. */
async function expectRedactedOnlyByDefault(
  session: number,
  secrets: string[],
): Promise<Record<string, string>> {
  const redacted = await exports(session, EXPORT_FORMATS);
  expectNoSecrets(redacted, secrets);
  // Load-test scripts are always redacted.
  const raw = await exports(session, ['har', 'ndjson'], ['--no-redact']);
  for (const format of ['har', 'ndjson'])
    expect(
      leaksIn(raw[format]!, secrets).map((l) => l.secret),
      format,
    ).toEqual(secrets);
  return redacted;
}

/** The frames of an NDJSON export. */
const ndjsonFrames = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((r) => 'direction' in r);

const mqttMissing = mosquittoMissing();
describe.skipIf(mqttMissing !== null)(
  `an MQTT CONNECT's password${mqttMissing ? ` (skipped: ${mqttMissing})` : ''}`,
  () => {
    it('is masked in place in the binary frame, which still decodes as a CONNECT', async () => {
      const password = canary('mqtt-password');
      const broker = await startMosquitto({ users: { oncall: password } });
      try {
        const session = await capture([
          `${broker.url}/`,
          '--protocol',
          'mqtt',
          '--init-payload',
          JSON.stringify({ username: 'oncall', password }),
          '--duration',
          '1',
        ]);
        const redacted = await expectRedactedOnlyByDefault(session, [password]);
        const connect = ndjsonFrames(redacted['ndjson']!).find((f) => f['direction'] === 'out');
        const bytes = Buffer.from(String(connect?.['payload']), 'base64');
        expect(bytes.toString('latin1')).toContain(
          `oncall\0${String.fromCharCode(password.length)}${'*'.repeat(password.length)}`,
        );
        expect(connect?.['message']).toMatchObject({ protocol: 'mqtt', type: 'CONNECT' });
        expect(redacted['k6']).toMatch(
          /Note: the credentials of a binary message \(an MQTT CONNECT's password\) are masked/,
        );
        expect(redacted['ndjson']).toMatch(/"rule":"packet-field","count":1,"names":\["password"\]/);
      } finally {
        await broker.stop();
      }
    }, 60_000);
  },
);

const stompMissing = rabbitmqMissing();
describe.skipIf(stompMissing !== null)(
  `a STOMP CONNECT's passcode${stompMissing ? ` (skipped: ${stompMissing})` : ''}`,
  () => {
    it('is masked (the broker refuses it, the CONNECT is recorded)', async () => {
      const passcode = canary('stomp-passcode');
      const broker = await startRabbitMq();
      try {
        const session = await capture([
          broker.stompUrl,
          '--protocol',
          'stomp',
          '--init-payload',
          JSON.stringify({ host: '/', login: 'guest', passcode }),
          '--duration',
          '1',
        ]);
        await expectRedactedOnlyByDefault(session, [passcode]);
      } finally {
        await broker.stop();
      }
    }, 180_000);
  },
);

const graphqlMissing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');
describe.skipIf(graphqlMissing !== null)(
  `a graphql-ws connection_init's token${graphqlMissing ? ` (skipped: ${graphqlMissing})` : ''}`,
  () => {
    it('is masked under each secret-looking key (the server refuses it, the message is recorded)', async () => {
      const bearer = canary('gql-bearer');
      const token = canary('gql-token');
      const server = await graphqlWsServer();
      try {
        const session = await capture([
          server.url,
          '--protocol',
          'graphql-ws',
          '--init-payload',
          JSON.stringify({ authorization: `Bearer ${bearer}`, token }),
          '--duration',
          '1',
        ]);
        await expectRedactedOnlyByDefault(session, [bearer, token]);
      } finally {
        await server.close();
      }
    }, 60_000);
  },
);
