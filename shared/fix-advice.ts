// The fix of a finding as an engineer pastes it: a sentence with the measured values, and one
// configuration block per place it goes (nginx, HAProxy, a Node `ws` server, a Python `websockets`
// server, a shell), each complete on its own, filled in with what the evidence holds — the real host,
// port and path, the seconds after which idle connections were cut, a ping interval below that cut.
// Pure: the finding catalogue, the command line and the console's finding card all use it. A fix is
// pasted into tickets and chats: the endpoint's credentials (a `?token=`, a URL password) are masked
// before anything is built from it, by the same rules as exports.
import { Redactor } from './redaction.js';

/** Where a block of a fix goes. */
export type FixTarget =
  | 'nginx'
  | 'haproxy'
  | 'node-ws'
  | 'python-websockets'
  | 'browser'
  | 'shell'
  | 'socket-io'
  | 'graphql-ws'
  | 'mqtt'
  | 'stomp';

/** One copyable block of a fix. */
export interface FixBlock {
  target: FixTarget;
  /** What the block is and where it goes, in a few words ("nginx — in the WebSocket location"). */
  title: string;
  /** The block itself, ready to paste. */
  code: string;
}

/** A fix: what to do, in a sentence with the measured values, and the blocks to paste. */
export interface FixAdvice {
  text: string;
  blocks: FixBlock[];
}

/** How the targets are named for people. */
export const FIX_TARGET_NAMES: Readonly<Record<FixTarget, string>> = {
  nginx: 'nginx',
  haproxy: 'HAProxy',
  'node-ws': 'Node ws',
  'python-websockets': 'Python websockets',
  browser: 'Browser client',
  shell: 'Shell',
  'socket-io': 'Socket.IO',
  'graphql-ws': 'graphql-ws',
  mqtt: 'MQTT',
  stomp: 'STOMP',
};

/** The endpoint a finding is about, taken apart. */
interface Endpoint {
  url: string;
  host: string;
  port: number;
  path: string;
  secure: boolean;
  /** The same address over http(s), for curl. */
  httpUrl: string;
}

/** A ws(s):// or http(s):// URL taken apart (shared/ runs where no URL class is promised). */
function endpointOf(raw: unknown): Endpoint | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const m = /^(wss?|https?):\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?([^#]*)/i.exec(raw.trim());
  if (!m) return null;
  const scheme = m[1]!.toLowerCase();
  const secure = scheme === 'wss' || scheme === 'https';
  const port = m[3] ? Number(m[3]) : secure ? 443 : 80;
  const hostPart = m[2]!;
  const host = hostPart.replace(/^\[|\]$/g, '');
  const rest = m[4] ?? '';
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  const authority = m[3] ? `${hostPart}:${m[3]}` : hostPart;
  const httpUrl = `${secure ? 'https' : 'http'}://${authority}${path}`;
  return { url: raw, host, port, path, secure, httpUrl };
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const round1 = (n: number) => Math.round(n * 10) / 10;

/** A number of seconds as code and config read it: "1", "1.5", "30". */
function secs(n: number): string {
  return String(round1(n));
}

/** A ping interval safely below a measured idle cut: half of it, whole seconds from 2 s up. */
export function pingIntervalBelow(cutSeconds: number): number {
  if (cutSeconds >= 2) return Math.max(1, Math.floor(cutSeconds / 2));
  return Math.max(0.1, round1(cutSeconds / 2));
}

/** How long to wait for a pong: no longer than the interval, 10 s at most. */
function pongTimeout(interval: number): number {
  return Math.min(10, interval);
}

function where(e: Endpoint | null): string {
  return e ? ` for ${e.url}` : '';
}

function nodeWsHeartbeat(interval: number, why: string): FixBlock {
  return {
    target: 'node-ws',
    title: `Node ws — ping every ${secs(interval)} s, end connections whose pong does not come back`,
    code: [
      `// ${why}`,
      'const heartbeat = setInterval(() => {',
      '  for (const ws of wss.clients) {',
      '    if (ws.isAlive === false) {',
      '      ws.terminate();',
      '      continue;',
      '    }',
      '    ws.isAlive = false;',
      '    ws.ping();',
      '  }',
      `}, ${Math.round(interval * 1000)});`,
      "wss.on('connection', (ws) => {",
      '  ws.isAlive = true;',
      "  ws.on('pong', () => {",
      '    ws.isAlive = true;',
      '  });',
      '});',
      "wss.on('close', () => clearInterval(heartbeat));",
    ].join('\n'),
  };
}

function pythonHeartbeat(interval: number, e: Endpoint | null, why: string): FixBlock {
  const host = e ? JSON.stringify(e.host) : '"0.0.0.0"';
  const port = e ? String(e.port) : '8765';
  return {
    target: 'python-websockets',
    title: `Python websockets — ping every ${secs(interval)} s`,
    code: [
      `# ${why}`,
      `async with websockets.serve(handler, ${host}, ${port}, ping_interval=${secs(interval)}, ping_timeout=${secs(pongTimeout(interval))}):`,
      '    await asyncio.get_running_loop().create_future()  # serve until cancelled',
    ].join('\n'),
  };
}

function nginxUpgrade(e: Endpoint | null, extra: string[] = []): FixBlock {
  const location = e ? e.path.split('?')[0]! : '/';
  return {
    target: 'nginx',
    title: `nginx — the WebSocket location${where(e)}`,
    code: [
      `location ${location} {`,
      '    # keep your proxy_pass line; add these:',
      '    proxy_http_version 1.1;',
      '    proxy_set_header Upgrade $http_upgrade;',
      '    proxy_set_header Connection "upgrade";',
      '    proxy_set_header Host $host;',
      ...extra.map((l) => `    ${l}`),
      '}',
    ].join('\n'),
  };
}

function curlUpgrade(e: Endpoint, origin: string | null): string {
  return [
    `curl -i -N --max-time 5 \\`,
    '  -H "Connection: Upgrade" -H "Upgrade: websocket" \\',
    '  -H "Sec-WebSocket-Version: 13" -H "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==" \\',
    ...(origin ? [`  -H ${shellQuote(`Origin: ${origin}`)} \\`] : []),
    `  ${shellQuote(e.httpUrl)}`,
  ].join('\n');
}

/** A word for /bin/sh: as is when safe, else in single quotes. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isIp(host: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':');
}

/** Origins as a browser sends them (no "(no Origin)" or foreign ones picked by the probe). */
function realOrigins(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string' && /^https?:\/\/[^/\s]+$/.test(x));
}

/**
 * The fix of a finding, from its id and evidence. `target` is the endpoint of the diagnosis, used
 * when the evidence does not name one (a recorded session's findings).
 */
export function fixAdvice(
  f: { id: string; evidence: Record<string, unknown> },
  target: string | null = null,
): FixAdvice {
  const ev = f.evidence;
  // Evidence stored before it was redacted at the source is read back as it was written.
  const redactor = new Redactor();
  const safe = (v: unknown): unknown => (typeof v === 'string' ? redactor.url(v) : v);
  const e = endpointOf(safe(ev.url)) ?? endpointOf(safe(target));
  const direct = endpointOf(safe(ev.directUrl));
  const cut = num(ev.idleSeconds);
  switch (f.id) {
    case 'server-unreachable': {
      const blocks: FixBlock[] = [];
      if (e) {
        blocks.push({
          target: 'shell',
          title: 'Shell — from here: does the name resolve, does the port answer?',
          code: [...(isIp(e.host) ? [] : [`dig +short ${e.host}`]), `nc -zv -w 5 ${e.host} ${e.port}`].join(
            '\n',
          ),
        });
        blocks.push({
          target: 'shell',
          title: 'Shell — on the server: is anything listening on the port?',
          code: `ss -tlnp | grep ':${e.port} '`,
        });
      }
      return {
        text: e
          ? `Check that the service runs and listens on port ${e.port}${isIp(e.host) ? '' : `, that ${e.host} resolves`}, and that no firewall or security group drops the traffic on the way.`
          : 'Check that the service runs and listens where expected, that the name resolves, and that no firewall drops the traffic.',
        blocks,
      };
    }
    case 'tls-error': {
      const blocks: FixBlock[] = [];
      if (e)
        blocks.push({
          target: 'shell',
          title: 'Shell — what certificate the endpoint serves',
          code: `openssl s_client -connect ${e.host}:${e.port} -servername ${e.host} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -dates -ext subjectAltName`,
        });
      blocks.push({
        target: 'nginx',
        title: 'nginx — serve the full chain (leaf first, then the intermediates)',
        code: [
          'ssl_certificate     /etc/ssl/fullchain.pem;',
          'ssl_certificate_key /etc/ssl/privkey.pem;',
        ].join('\n'),
      });
      blocks.push({
        target: 'haproxy',
        title: 'HAProxy — the frontend with the full chain and its key in one PEM',
        code: `bind :${e?.port ?? 443} ssl crt /etc/haproxy/certs/${e && !isIp(e.host) ? e.host : 'site'}.pem`,
      });
      return {
        text: `Serve a certificate from a trusted CA that names ${e && !isIp(e.host) ? e.host : 'the host'}, with its full chain, and renew it before it expires.`,
        blocks,
      };
    }
    case 'mixed-content': {
      const use =
        typeof ev.use === 'string' ? redactor.url(ev.use) : e ? e.url.replace(/^ws:/i, 'wss:') : null;
      return {
        text: `Use ${use ?? 'wss://'} from https pages (derive the scheme from the page), and terminate TLS at the proxy so that the backend sees wss.`,
        blocks: [
          {
            target: 'browser',
            title: 'Browser client — the scheme follows the page',
            code: `const url = \`\${location.protocol === 'https:' ? 'wss' : 'ws'}://\${location.host}${e ? e.path : '/'}\`;\nconst socket = new WebSocket(url);`,
          },
          {
            target: 'nginx',
            title: 'nginx — TLS at the proxy, the scheme passed on',
            code: ['listen 443 ssl;', 'proxy_set_header X-Forwarded-Proto $scheme;'].join('\n'),
          },
        ],
      };
    }
    case 'upgrade-rejected': {
      const status = num(ev.status);
      const origin = typeof ev.origin === 'string' ? redactor.url(ev.origin) : null;
      return {
        text: `${status !== null ? `Read the HTTP ${status} answer kept as evidence. ` : ''}Check the path and the credentials the client sends, and replay the handshake by hand.`,
        blocks: e
          ? [
              {
                target: 'shell',
                title: `Shell — replay the handshake${where(e)}`,
                code: curlUpgrade(e, origin),
              },
            ]
          : [],
      };
    }
    case 'proxy-missing-upgrade': {
      const backend = direct ?? null;
      return {
        text:
          'Make the proxy pass the Upgrade and Connection headers on, over HTTP/1.1 — nginx: proxy_http_version 1.1, ' +
          'proxy_set_header Upgrade $http_upgrade and proxy_set_header Connection "upgrade" in the WebSocket location — ' +
          'then reload it and check the running configuration.',
        blocks: [
          nginxUpgrade(e, ['proxy_read_timeout 3600s;', 'proxy_send_timeout 3600s;']),
          {
            target: 'haproxy',
            title: `HAProxy — the backend${where(e)}`,
            code: [
              'backend websocket',
              '    mode http',
              '    # mode http passes the upgrade on; remove any rule that deletes the Connection or Upgrade header',
              '    timeout tunnel 1h',
              `    server app1 ${backend ? `${backend.host}:${backend.port}` : `${e?.host ?? '127.0.0.1'}:${e?.port ?? 8080}`} check`,
            ].join('\n'),
          },
          {
            target: 'shell',
            title: 'Shell — what nginx runs now',
            code: `nginx -T 2>/dev/null | grep -n -i -E 'proxy_http_version|proxy_set_header +(upgrade|connection)'`,
          },
        ],
      };
    }
    case 'origin-rejected': {
      const origins = realOrigins(ev.refused);
      const list = origins.length ? origins : ['https://app.example.com'];
      return {
        text: `Add ${origins.length ? origins.join(', ') : 'the page’s origin'} to the server’s allow-list exactly as browsers send it (scheme://host[:port], no path), and keep foreign origins refused.`,
        blocks: [
          {
            target: 'node-ws',
            title: 'Node ws — accept only these origins',
            code: [
              `const allowedOrigins = new Set(${JSON.stringify(list)});`,
              'const wss = new WebSocketServer({',
              '  server,',
              '  verifyClient: ({ origin }) => allowedOrigins.has(origin),',
              '});',
            ].join('\n'),
          },
          {
            target: 'python-websockets',
            title: 'Python websockets — accept only these origins',
            code: `async with websockets.serve(handler, ${e ? `${JSON.stringify(e.host)}, ${e.port}` : '"0.0.0.0", 8765'}, origins=${JSON.stringify(list)}):\n    await asyncio.get_running_loop().create_future()`,
          },
        ],
      };
    }
    case 'idle-timeout': {
      if (cut === null) break;
      const every = pingIntervalBelow(cut);
      const why = `idle connections${where(e)} were cut after ${secs(cut)} s: ping every ${secs(every)} s`;
      return {
        text:
          `Idle connections were cut after ${secs(cut)} s. Keep traffic flowing more often than that — a server ping every ${secs(every)} s — ` +
          'and raise the idle timeout of the proxy for the WebSocket location well above it (nginx proxy_read_timeout and proxy_send_timeout, HAProxy timeout tunnel).',
        blocks: [
          {
            target: 'nginx',
            title: `nginx — in the location that proxies${e ? ` ${e.path.split('?')[0]}` : ' the WebSocket path'}`,
            code: [
              `# idle connections${where(e)} were cut after ${secs(cut)} s`,
              'proxy_read_timeout 3600s;',
              'proxy_send_timeout 3600s;',
            ].join('\n'),
          },
          {
            target: 'haproxy',
            title: 'HAProxy — in the defaults or the WebSocket backend',
            code: [`# idle connections${where(e)} were cut after ${secs(cut)} s`, 'timeout tunnel 1h'].join(
              '\n',
            ),
          },
          nodeWsHeartbeat(every, why),
          pythonHeartbeat(every, direct ?? e, why),
        ],
      };
    }
    case 'no-heartbeat': {
      const every = cut !== null ? pingIntervalBelow(cut) : 30;
      const why =
        cut !== null
          ? `idle connections${where(e)} were cut after ${secs(cut)} s: ping every ${secs(every)} s`
          : `no ping came from the server${where(e)}; every ${secs(every)} s stays under nginx's default 60 s proxy_read_timeout`;
      return {
        text:
          cut !== null
            ? `Ping from the server every ${secs(every)} s, under the ${secs(cut)} s cut, and end connections whose pong does not come back within ${secs(pongTimeout(every))} s.`
            : `Ping from the server at an interval below the smallest idle timeout on the path (every ${secs(every)} s stays under nginx's default 60 s), and end connections whose pong does not come back within 10 s.`,
        blocks: [nodeWsHeartbeat(every, why), pythonHeartbeat(every, direct ?? e, why)],
      };
    }
    case 'heartbeat-timeout': {
      const timeoutMs = num(ev.timeoutMs);
      const every = 10;
      const why = `pongs went missing or came late${where(e)}: end a connection whose pong does not come back`;
      return {
        text: `Treat a missing pong as a dead connection: end it and reconnect with backoff${timeoutMs !== null ? ` (the probe waited ${secs(timeoutMs / 1000)} s)` : ''}. On the server, look for event-loop lag, CPU saturation and long GC pauses.`,
        blocks: [nodeWsHeartbeat(every, why), pythonHeartbeat(every, direct ?? e, why)],
      };
    }
    case 'subprotocol-refused': {
      const sub = str(ev.subprotocol);
      const url = e?.url ?? 'wss://example.com/graphql';
      if (!sub)
        return {
          text: 'Offer the subprotocol the server speaks (its documentation names it), or let Frameline pick it with `--protocol NAME`.',
          blocks: [],
        };
      return {
        text: `Offer the subprotocol \`${sub}\`: the server refuses connections without it. With Frameline, add \`--subprotocol ${sub}\`.`,
        blocks: [
          {
            target: 'shell',
            title: `Shell — probe again offering ${sub}`,
            code: `frameline probe ${shellQuote(url)} --subprotocol ${shellQuote(sub)}`,
          },
          {
            target: 'browser',
            title: `Browser client — offer ${sub}`,
            code: `const socket = new WebSocket(${JSON.stringify(url)}, ${JSON.stringify(sub)});`,
          },
        ],
      };
    }
    case 'auth-refused':
      return protocolAuthFix(str(ev.protocol), e);
    case 'app-heartbeat-unanswered':
      return protocolHeartbeatFix(str(ev.protocol), num(ev.intervalSeconds), num(ev.timeoutSeconds));
    case 'subscription-refused':
      return subscriptionFix(str(ev.protocol), str(ev.subscription));
    case 'ping-flood': {
      const who = ev.from === 'client' ? 'client' : 'server';
      const pings = num(ev.pings);
      const perSecond = num(ev.pingsPerSecond);
      const why = `the ${who}${where(e)} sent ${pings ?? 'many'} pings${perSecond !== null ? `, up to ${perSecond} a second` : ''}: one timer per connection, one ping per interval`;
      return {
        text: `Make the ${who} send one ping per interval from a single timer per connection (every 30 s, below the smallest idle timeout on the path), started once when the connection opens and cleared when it closes; never ping per message or in a loop${perSecond !== null ? ` (it sent up to ${perSecond} a second)` : ''}.`,
        blocks: [nodeWsHeartbeat(30, why), pythonHeartbeat(30, direct ?? e, why)],
      };
    }
    case 'abnormal-closure':
      return {
        text: 'Match the drop times with server restarts, OOM kills, deploys and proxy reloads; drain connections before a shutdown (close with 1001 or 1012 first), and have clients reconnect with backoff and jitter.',
        blocks: [
          {
            target: 'shell',
            title: 'Shell — on the server: was the process killed?',
            code: "dmesg -T | grep -i -E 'out of memory|killed process' | tail -n 20",
          },
          {
            target: 'node-ws',
            title: 'Node ws — close cleanly before shutting down',
            code: [
              "process.on('SIGTERM', () => {",
              "  for (const ws of wss.clients) ws.close(1001, 'server shutting down');",
              '  wss.close(() => process.exit(0));',
              '});',
            ].join('\n'),
          },
        ],
      };
    case 'reconnect-storm':
      return {
        text: 'Reconnect only from onclose, with exponential backoff and jitter (base 1 s, factor 2, at most 30 s, ± 25 %), reset after a connection stays up, and give up after a bounded number of attempts.',
        blocks: [
          {
            target: 'browser',
            title: 'Browser client — reconnect with backoff and jitter',
            code: [
              'let attempt = 0;',
              'function connect() {',
              `  const socket = new WebSocket(${JSON.stringify(e?.url ?? 'wss://example.com/socket')});`,
              '  socket.onopen = () => { attempt = 0; };',
              '  socket.onclose = (event) => {',
              '    if (event.code === 1000 || attempt >= 10) return;',
              '    const delay = Math.min(1000 * 2 ** attempt++, 30000) * (0.75 + Math.random() / 2);',
              '    setTimeout(connect, delay);',
              '  };',
              '}',
              'connect();',
            ].join('\n'),
          },
        ],
      };
    case 'proxy-buffering':
      return {
        text: 'Turn buffering off for the real-time location, make sure the connection is really upgraded, and disable write batching in the server.',
        blocks: [nginxUpgrade(e, ['proxy_buffering off;'])],
      };
    default:
      break;
  }
  return { text: '', blocks: [] };
}

/** Where the credentials go, for the protocol that refused them. */
function protocolAuthFix(protocol: string | null, e: Endpoint | null): FixAdvice {
  const url = e?.url ?? 'wss://example.com/socket';
  switch (protocol) {
    case 'graphql-ws':
      return {
        text: 'graphql-ws refused the connection_init (4401 Unauthorized without one, 4403 Forbidden for bad credentials): send them in the connection parameters, and check the server’s onConnect.',
        blocks: [
          {
            target: 'graphql-ws',
            title: 'graphql-ws client — credentials in connectionParams',
            code: [
              "import { createClient } from 'graphql-ws';",
              'const client = createClient({',
              `  url: ${JSON.stringify(url)},`,
              '  connectionParams: async () => ({ token: await getToken() }),',
              '});',
            ].join('\n'),
          },
          {
            target: 'shell',
            title: 'Shell — capture with the init payload',
            code: `frameline capture ${shellQuote(url)} --protocol graphql-ws --init-payload '{"token":"…"}'`,
          },
        ],
      };
    case 'socket.io':
      return {
        text: 'The Socket.IO namespace answered connect_error: send the credentials in the handshake’s auth, and check the server’s middleware (io.use).',
        blocks: [
          {
            target: 'socket-io',
            title: 'socket.io-client — credentials in auth',
            code: `const socket = io(${JSON.stringify(url.replace(/^ws/, 'http').replace(/\/socket\.io\/?.*$/, ''))}, { auth: { token } });\nsocket.on('connect_error', (err) => console.error(err.message));`,
          },
        ],
      };
    case 'mqtt':
      return {
        text: 'The broker refused the MQTT CONNECT: send a username and password it knows, and check its password file and ACL.',
        blocks: [
          {
            target: 'mqtt',
            title: 'mosquitto — users and anonymous access',
            code: [
              '# mosquitto.conf',
              'allow_anonymous false',
              'password_file /etc/mosquitto/passwd',
              '# then: mosquitto_passwd -c /etc/mosquitto/passwd USER',
            ].join('\n'),
          },
        ],
      };
    case 'stomp':
      return {
        text: 'The broker answered CONNECT with ERROR: send login and passcode headers it accepts, for a virtual host the user may use.',
        blocks: [
          {
            target: 'stomp',
            title: 'RabbitMQ — a user with rights on the virtual host',
            code: [
              'rabbitmqctl add_user USER PASSWORD',
              "rabbitmqctl set_permissions -p / USER '.*' '.*' '.*'",
            ].join('\n'),
          },
        ],
      };
    default:
      return {
        text: 'Send the credentials where the protocol expects them, and check them against the server’s authentication.',
        blocks: [],
      };
  }
}

/** How to keep the protocol's own heartbeat answered. */
function protocolHeartbeatFix(
  protocol: string | null,
  interval: number | null,
  timeout: number | null,
): FixAdvice {
  const measured =
    interval !== null && timeout !== null
      ? ` (the server pings every ${secs(interval)} s and waits ${secs(timeout)} s for the answer)`
      : '';
  switch (protocol) {
    case 'socket.io':
      return {
        text: `Engine.IO pings went unanswered${measured}: connect with socket.io-client, which answers every ping with a pong, keep its event loop free, and give slow networks room on the server.`,
        blocks: [
          {
            target: 'socket-io',
            title: 'Socket.IO server — heartbeat with room for slow clients',
            code: 'const io = new Server(httpServer, { pingInterval: 25000, pingTimeout: 20000 });',
          },
        ],
      };
    case 'mqtt':
      return {
        text: `The MQTT keep-alive expired${measured}: the client must send PINGREQ (or any packet) within its keep-alive, which the broker allows 1.5 times over.`,
        blocks: [
          {
            target: 'mqtt',
            title: 'MQTT client — a keep-alive the network can keep',
            code: 'const client = mqtt.connect(url, { keepalive: 60, reconnectPeriod: 1000 });',
          },
        ],
      };
    case 'stomp':
      return {
        text: `STOMP heart-beats went missing${measured}: negotiate heart-beats both sides can keep and send one (an end of line) within the agreed interval.`,
        blocks: [
          {
            target: 'stomp',
            title: 'STOMP client — heart-beats both ways',
            code: 'const client = new Client({ brokerURL: url, heartbeatIncoming: 10000, heartbeatOutgoing: 10000 });',
          },
        ],
      };
    case 'graphql-ws':
      return {
        text: `graphql-ws pings went unanswered${measured}: answer ping with pong (the graphql-ws client does), and let the client ping an idle connection itself.`,
        blocks: [
          {
            target: 'graphql-ws',
            title: 'graphql-ws client — keep the connection alive',
            code: 'const client = createClient({ url, keepAlive: 10000 });',
          },
        ],
      };
    default:
      return {
        text: `Answer the protocol’s heartbeats${measured}, with the stack’s own client library.`,
        blocks: [],
      };
  }
}

/** How to get a refused subscription allowed. */
function subscriptionFix(protocol: string | null, subscription: string | null): FixAdvice {
  const what = subscription ?? 'the topic';
  switch (protocol) {
    case 'mqtt':
      return {
        text: `The broker refused the subscription to ${what}: give the user read access to it in the broker's ACL.`,
        blocks: [
          {
            target: 'mqtt',
            title: 'mosquitto — read access in the ACL file',
            code: [
              '# mosquitto.conf: acl_file /etc/mosquitto/acl',
              '# /etc/mosquitto/acl',
              'user USER',
              `topic read ${subscription ?? 'sensors/#'}`,
            ].join('\n'),
          },
        ],
      };
    case 'stomp':
      return {
        text: `The broker answered the SUBSCRIBE to ${what} with ERROR: check that the destination exists and that the user may read it.`,
        blocks: [
          {
            target: 'stomp',
            title: 'RabbitMQ — read permission on the virtual host',
            code: "rabbitmqctl set_permissions -p / USER '' '' '.*'\nrabbitmqctl list_permissions -p /",
          },
        ],
      };
    case 'graphql-ws':
      return {
        text: `The server answered the subscribe ${subscription ? `(id ${subscription}) ` : ''}with error: fix the document against the schema, or the variables and rights it needs.`,
        blocks: [],
      };
    default:
      return {
        text: `The server refused the subscription to ${what}: read its refusal and grant access or fix the request.`,
        blocks: [],
      };
  }
}

/** A fix block for a terminal: its title, then the code indented. */
export function fixBlockText(b: FixBlock, indent = '  '): string {
  return [`${indent}${b.title}`, ...b.code.split('\n').map((l) => `${indent}    ${l}`)].join('\n');
}
