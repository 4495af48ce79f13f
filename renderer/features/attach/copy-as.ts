// The attach form as the commands engineers already have in a terminal: wscat, websocat, and curl
// (which shows the upgrade answer, headers and all). Words are quoted for /bin/sh.
import { shellQuote } from '../../../shared/fix-advice';
import type { AttachDraft } from './attach-draft';

export type Tool = 'wscat' | 'websocat' | 'curl';

/** Always in single quotes: URLs and header lines hold characters the shell would read. */
function quoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function headersOf(d: AttachDraft): string[] {
  return d.headers.filter((h) => h.name.trim()).map((h) => `${h.name.trim()}: ${h.value}`);
}

function protocolsOf(d: AttachDraft): string[] {
  return d.subprotocols
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** The same connection as a command of `tool`. */
export function commandFor(tool: Tool, d: AttachDraft): string {
  const url = d.url.trim();
  const origin = d.origin.trim();
  const protocols = protocolsOf(d);
  const headers = headersOf(d);
  if (tool === 'wscat') {
    return [
      'wscat -c',
      quoted(url),
      ...headers.map((h) => `-H ${quoted(h)}`),
      ...(origin ? [`-o ${shellQuote(origin)}`] : []),
      ...protocols.map((p) => `-s ${shellQuote(p)}`),
      ...(d.insecure ? ['--no-check'] : []),
      ...(d.ca ? [`--ca ${shellQuote(d.ca.name)}`] : []),
      ...(d.cert ? [`--cert ${shellQuote(d.cert.name)}`] : []),
      ...(d.key ? [`--key ${shellQuote(d.key.name)}`] : []),
    ].join(' ');
  }
  if (tool === 'websocat') {
    return [
      'websocat',
      ...headers.map((h) => `-H=${quoted(h)}`),
      ...(origin ? [`--origin ${shellQuote(origin)}`] : []),
      ...(protocols.length ? [`--protocol ${shellQuote(protocols.join(', '))}`] : []),
      ...(d.insecure ? ['-k'] : []),
      quoted(url),
    ].join(' ');
  }
  const http = url.replace(/^ws(s?):\/\//i, (_m, s: string) => `http${s}://`);
  const lines = [
    `curl -i -N --http1.1${d.insecure ? ' -k' : ''}${d.ca ? ` --cacert ${shellQuote(d.ca.name)}` : ''}`,
    "  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13'",
    "  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='",
  ];
  if (headers.length) lines.push(`  ${headers.map((h) => `-H ${quoted(h)}`).join(' ')}`);
  const extra = [
    ...(origin ? [`-H ${quoted(`Origin: ${origin}`)}`] : []),
    ...(protocols.length ? [`-H ${quoted(`Sec-WebSocket-Protocol: ${protocols.join(', ')}`)}`] : []),
  ];
  if (extra.length) lines.push(`  ${extra.join(' ')}`);
  lines.push(`  ${quoted(http)}`);
  return lines.join(' \\\n');
}
