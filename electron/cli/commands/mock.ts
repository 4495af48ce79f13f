// frameline mock SESSION: serve a recorded connection's server side, with faults, to any client.
import { contract } from '../../../shared/contract.js';
import { faultSyntax } from '../../../shared/replay/faults.js';
import { parse, positionals, requestFrom, sessionId, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out, warnExposed } from '../output.js';

export const help = `frameline mock SESSION [options]

Serve the recorded server side of a connection as a WebSocket server, to many clients at once. The
first line on stdout is "listening ws://HOST:PORT/". Every client is recorded as a connection of a
new session (kind mock; "out" is what the mock sent), so that "frameline diagnose" can check a
client's fix. Runs until Ctrl+C.

  --connection N     the connection to serve (default: the first that received anything)
  --port P           port to listen on (default: a free one)
  --host H           address to bind (default 127.0.0.1; anything else is reachable from the network)
  --mode timed       each client gets the recorded server messages at their recorded offsets from
                     the open, then the recorded close (default)
  --mode reactive    each client message is answered with the recorded answers that followed the
                     matching recorded request: matched by id field, else equal payload, else order
  --loop             start again after the last message (timed) or request (reactive)
  --speed F          F times the recorded pace (default 1)
  --id-field NAME    the JSON field that pairs requests and answers (default "id")
  --fault F          inject a fault (repeatable):
${faultSyntax('mock')
  .map((s) => `                       ${s}`)
  .join('\n')}
  --name N           name of the mock's session
  --db PATH, --json  see "frameline --help"`;

const OPTIONS = {
  connection: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  mode: { type: 'string' },
  loop: { type: 'boolean', default: false },
  speed: { type: 'string' },
  'id-field': { type: 'string' },
  fault: { type: 'string', multiple: true },
  name: { type: 'string' },
} as const;

const FLAGS: Record<string, Flag> = {
  connection: { field: 'connection', kind: 'number' },
  port: { field: 'port', kind: 'number' },
  host: { field: 'host' },
  mode: { field: 'mode' },
  loop: { field: 'loop', kind: 'boolean' },
  speed: { field: 'speed', kind: 'number' },
  'id-field': { field: 'idField' },
  fault: { field: 'faults', kind: 'list' },
  name: { field: 'name' },
};

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'mock');
  const [raw] = positionals(args, 'mock', { min: 1, what: 'session id' });
  const request = requestFrom(contract.mock.start.request, values, FLAGS, {
    sessionId: sessionId(raw, 'mock'),
  });
  const json = values.json;
  const engine = openCliEngine(values, { create: false });
  try {
    // This engine serves this one mock: each of its clients is a line as it connects and ends.
    const offClients = engine.api.on('mock:client', ({ event, client: c }) => {
      if (event === 'connected') {
        if (json)
          process.stdout.write(
            `${JSON.stringify({ event: 'connected', client: c.ordinal, remote: c.remote })}\n`,
          );
        else note(`client ${c.ordinal} connected from ${c.remote}`);
      } else if (json)
        process.stdout.write(
          `${JSON.stringify({ event: 'ended', client: c.ordinal, ending: c.ending, framesIn: c.framesIn, framesOut: c.framesOut })}\n`,
        );
      else
        note(
          `client ${c.ordinal} ended: ${c.ending ?? 'closed'} (${c.framesIn} frames in, ${c.framesOut} out)`,
        );
    });
    // The checked request holds the faults parsed; the contract carries them as written, and the
    // service reads them again with the same parser.
    const mock = await engine.api.mock.start({ ...request, faults: values.fault ?? [], clientEvents: true });
    // The terminal may listen where the person says (shell cli); beyond loopback it says so loudly.
    if (!mock.loopback)
      warnExposed(request.host, '', 'can connect to this mock and read the recorded traffic it serves.');
    if (json) await out(`${JSON.stringify({ url: mock.url, port: mock.port, sessionId: mock.sessionId })}\n`);
    else await out(`listening ${mock.url}\n`);
    note(
      `serving session ${mock.source} (${mock.mode}${mock.loop ? ', looping' : ''}) into session ${mock.sessionId}; Ctrl+C to stop`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    note('stopping: closing clients with 1001 and committing the session…');
    const status = await engine.api.mock.stop({ sessionId: mock.sessionId });
    offClients();
    if (json)
      await out(
        `${JSON.stringify({ event: 'stopped', sessionId: status.sessionId, connections: status.connections })}\n`,
      );
    else
      note(
        `session ${status.sessionId}: ${status.connections} client connection${status.connections === 1 ? '' : 's'} recorded`,
      );
    return 0;
  } finally {
    await engine.close();
  }
}
