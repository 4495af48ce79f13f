// frameline relay --to URL: a recording reverse proxy between real clients and their server.
import { createInterface } from 'node:readline';
import { trustAdvice } from '../../../shared/ca-trust.js';
import { contract } from '../../../shared/contract.js';
import type { RelayFaultsResult } from '../../../shared/contract/relay.js';
import { faultSyntax } from '../../../shared/replay/faults.js';
import { InputError } from '../../engine/errors.js';
import { parse, positionals, requestFrom, type Flag } from '../args.js';
import { openCliEngine } from '../engine.js';
import { note, out, warnExposed } from '../output.js';

export const help = `frameline relay --to URL [options]
       frameline relay --proxy [options]

Stand between real clients and their server, and record what they say. Point a client (a browser
app, a mobile app, a service) at the relay instead of its server: each client's upgrade is passed
to URL with the client's path and query appended to URL's path (as nginx's proxy_pass without a
URI), with its headers (Authorization, Cookie, Origin, User-Agent, the subprotocols it offers), and
the server's answer comes back to it (the chosen subprotocol, or a refusal with its status and
body). The first line on stdout is "listening ws://HOST:PORT/". Every frame both ways is recorded
into a new session (kind relay; "out" is what the client sent, "in" what the server sent), one
connection per client, with who closed it and the code each side closed with. Runs until Ctrl+C
or SIGTERM, which close every client and its upstream with 1001 and commit the session.

With --proxy it is a forward HTTP proxy instead, for clients that can only be pointed at one (set
it as their HTTP proxy; the first line is "listening http://HOST:PORT"): ws:// through CONNECT or
absolute URLs, and wss:// by ending TLS inside CONNECT with a certificate for the server's host
signed by Frameline's local certificate authority, which the client must trust. Only WebSocket
upgrades are relayed and recorded; other requests and tunnels pass through untouched.

Faults act on the live path, for the clients connected and those to come; what each did is a
"fault-applied" event on the client's timeline. Switch them while the relay runs by writing lines
to its stdin (it answers on stderr with what changed and the faults on now):
  fault on F [F…]        switch faults on (replacing one of the same kind)
  fault off KIND [KIND…] switch faults off (idle-cut, delay, stall…)
  faults                 list the faults on

  --to URL               the server: ws://HOST:PORT/PATH or wss://…
  --proxy                a forward proxy: clients name their servers (no --to)
  --listen HOST:PORT     where clients connect (default 127.0.0.1:0, a free port; anything but a
                         loopback address is reachable from the network: you are warned)
  --tls                  serve wss:// to clients, with a certificate for the listen address signed
                         by Frameline's local certificate authority (made once; how to trust it
                         is printed on stderr; FRAMELINE_CA_DIR moves it)
  --tls-cert FILE --tls-key FILE
                         serve wss:// with this certificate (PEM, its chain after it) and key
  --ca FILE              trust this CA for a wss:// server (PEM, at most 1 MiB)
  --cert FILE --key FILE client certificate for a wss:// server (PEM, at most 1 MiB each)
  --insecure             accept any server certificate
  --connect-timeout S    seconds for TCP + TLS + upgrade with the server, per client (default 10)
  --name N               name of the relay's session
  --fault F              a fault from the start (repeatable); "in" is towards the client:
${faultSyntax('relay')
  .map((s) => `                           ${s}`)
  .join('\n')}
  --db PATH, --json      see "frameline --help"`;

const OPTIONS = {
  to: { type: 'string' },
  proxy: { type: 'boolean', default: false },
  tls: { type: 'boolean', default: false },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  listen: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  'connect-timeout': { type: 'string' },
  name: { type: 'string' },
  fault: { type: 'string', multiple: true },
} as const;

const FLAGS: Record<string, Flag> = {
  to: { field: 'to' },
  proxy: { field: 'proxy', kind: 'boolean' },
  tls: { field: 'tls', kind: 'boolean' },
  'tls-cert': { field: 'tlsCertPem', kind: 'pem' },
  'tls-key': { field: 'tlsKeyPem', kind: 'pem' },
  ca: { field: 'caPem', kind: 'pem', pem: { what: 'CA', file: 'ca' } },
  cert: { field: 'certPem', kind: 'pem', pem: { what: 'client certificate', file: 'cert' } },
  key: { field: 'keyPem', kind: 'pem', pem: { what: 'client key', file: 'key' } },
  insecure: { field: 'insecure', kind: 'boolean' },
  'connect-timeout': { field: 'connectTimeoutSeconds', kind: 'number' },
  name: { field: 'name' },
  fault: { field: 'faults', kind: 'list' },
};

/** A stdin line as a switch of faults, or null for `faults` (list them); throws on anything else. */
export function faultCommand(line: string): { on: string[]; off: string[] } | null {
  const words = line.trim().split(/\s+/);
  if (words.length === 1 && words[0] === 'faults') return null;
  if (words[0] === 'fault' && (words[1] === 'on' || words[1] === 'off') && words.length > 2)
    return words[1] === 'on' ? { on: words.slice(2), off: [] } : { on: [], off: words.slice(2) };
  throw new InputError(
    `"${line.trim()}" is not a relay command; write "fault on idle-cut=5", "fault off idle-cut" or "faults"`,
  );
}

/** --listen HOST:PORT ([::1]:PORT for IPv6) as the request's host and port. */
export function listenAddress(raw: string | undefined): { host: string; port: number } {
  if (raw === undefined) return { host: '127.0.0.1', port: 0 };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(raw);
  if (!m)
    throw new InputError(`--listen "${raw}" is not HOST:PORT; give one such as 127.0.0.1:8080 or [::1]:0`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals: args } = parse(argv, OPTIONS, 'relay');
  positionals(args, 'relay');
  if (values.to === undefined && !values.proxy)
    throw new InputError(
      'relay needs --to URL, the server to relay to, such as --to ws://127.0.0.1:8080/ (or --proxy, a forward proxy)',
    );
  const request = requestFrom(contract.relay.start.request, values, FLAGS, listenAddress(values.listen));
  const json = values.json;
  const engine = openCliEngine(values);
  try {
    // This engine runs this one relay: each of its clients is a line as it connects and ends.
    const offClients = engine.api.on('relay:client', ({ event, client: c }) => {
      if (json)
        process.stdout.write(
          `${JSON.stringify(
            event === 'connected'
              ? { event, client: c.ordinal, remote: c.remote, url: c.url }
              : { event, client: c.ordinal, ending: c.ending, framesOut: c.framesOut, framesIn: c.framesIn },
          )}\n`,
        );
      else if (event === 'connected') note(`client ${c.ordinal} from ${c.remote} relayed to ${c.url}`);
      else
        note(
          `client ${c.ordinal} ended: ${c.ending ?? 'closed'} (${c.framesOut} frames out, ${c.framesIn} in)`,
        );
    });
    // The checked request holds the faults parsed; the contract carries them as written.
    const offFaults = engine.api.on('relay:fault', (f) => {
      if (json) process.stdout.write(`${JSON.stringify({ event: 'fault', ...f })}\n`);
      else
        note(
          `client ${f.client}: ${f.fault} ${f.action}${Object.keys(f.detail).length > 0 ? ` ${JSON.stringify(f.detail)}` : ''}`,
        );
    });
    const relay = await engine.api.relay.start({
      ...request,
      faults: values.fault ?? [],
      clientEvents: true,
    });
    // The terminal may listen where the person says; beyond loopback it says so loudly.
    if (!relay.loopback)
      warnExposed(
        request.host,
        '',
        'can connect to this relay, reach the server through it and have their traffic recorded.',
      );
    if (json)
      await out(
        `${JSON.stringify({ url: relay.url, port: relay.port, sessionId: relay.sessionId, to: relay.to, caFile: relay.caFile })}\n`,
      );
    else await out(`listening ${relay.url}\n`);
    if (relay.caFile) for (const line of trustAdvice(relay.caFile)) note(line);
    note(
      `${relay.to ? `relaying to ${relay.to}` : 'proxying (WebSocket upgrades recorded)'} into session ${relay.sessionId}${relay.faults.length > 0 ? ` with faults ${relay.faults.join(', ')}` : ''}; Ctrl+C to stop`,
    );
    // Faults switched from stdin, one line at a time, each answered with what changed.
    const said = (r: RelayFaultsResult) => {
      if (json) process.stdout.write(`${JSON.stringify({ event: 'faults', ...r })}\n`);
      else
        note(
          [
            ...(r.switchedOn.length > 0 ? [`switched on ${r.switchedOn.join(', ')}`] : []),
            ...(r.switchedOff.length > 0 ? [`switched off ${r.switchedOff.join(', ')}`] : []),
            `faults on: ${r.faults.length > 0 ? r.faults.join(', ') : 'none'}`,
          ].join('; '),
        );
    };
    const commands = createInterface({ input: process.stdin, terminal: false });
    let pending = Promise.resolve();
    commands.on('line', (line) => {
      if (line.trim() === '') return;
      pending = pending.then(async () => {
        try {
          const command = faultCommand(line);
          const result = command
            ? await engine.api.relay.faults({ sessionId: relay.sessionId, ...command })
            : {
                faults:
                  (await engine.api.relay.list({})).find((r) => r.sessionId === relay.sessionId)?.faults ??
                  [],
                switchedOn: [],
                switchedOff: [],
              };
          said(result);
        } catch (err) {
          note(`not done: ${(err as Error).message}`);
        }
      });
    });
    // Ctrl+C may arrive more than once: the first one stops the relay cleanly, later ones must not cut that short.
    await new Promise<void>((resolve) => {
      process.on('SIGINT', resolve);
      process.on('SIGTERM', resolve);
    });
    commands.close();
    await pending;
    note('stopping: closing clients with 1001 and committing the session…');
    const status = await engine.api.relay.stop({ sessionId: relay.sessionId });
    offClients();
    offFaults();
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
