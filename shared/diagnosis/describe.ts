// One line per check for people: the progress lines of a probe, the console, the text report.
import type { DamagedFrames } from '../contract/sessions.js';
import type { Check } from '../findings.js';
import { damageWords } from '../frame-damage.js';

const n = (v: unknown, unit = ''): string => (typeof v === 'number' ? `${v}${unit}` : '-');
/** What paired a session's requests with their answers: the protocol's ids, the JSON id field, or both. */
function pairedByWords(d: Record<string, unknown>): string {
  const by = d.pairedBy as { protocol?: number; field?: number } | undefined;
  const field = `"${String(d.idField)}"`;
  if (!by || !by.protocol) return field;
  return by.field ? `the protocol's ids and ${field}` : "the protocol's ids";
}

/** A count with its noun, singular for one: "1 connection", "3 frames". */
const counted = (v: unknown, noun: string): string => `${n(v)} ${noun}${v === 1 ? '' : 's'}`;

function latency(d: Record<string, unknown>): string {
  return d.samples ? `p50 ${n(d.p50Ms, ' ms')}, p95 ${n(d.p95Ms, ' ms')}, max ${n(d.maxMs, ' ms')}` : '';
}

function entries(v: unknown): string {
  return v && typeof v === 'object'
    ? Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${k} ×${String(x)}`)
        .join(', ')
    : '';
}

function errorText(d: Record<string, unknown>): string | null {
  const e = d.error as { message?: string } | null | undefined;
  return e && typeof e.message === 'string' ? e.message : null;
}

/** A short sentence with what a check saw. */
export function describeCheck(c: Check): string {
  const d = c.detail;
  const name = c.name.replace(/^direct\./, '');
  const err = errorText(d);
  switch (name) {
    case 'dns':
      return (
        err ??
        (d.literal
          ? `${(d.addresses as string[])[0]} (an address, nothing to resolve)`
          : `${(d.addresses as string[]).join(', ')}`)
      );
    case 'tcp':
      return err ?? `connected to ${String(d.address)}:${String(d.port)}`;
    case 'tls': {
      if (err) return err;
      const trust =
        d.authorized && !d.hostnameError
          ? 'trusted'
          : `NOT trusted: ${String(d.hostnameError ?? d.authorizationError)}`;
      return `${String(d.protocol)}${d.alpn ? ` (${String(d.alpn)})` : ''}, certificate ${trust}, valid to ${String(d.validTo).slice(0, 10)} (${n(d.daysLeft)} days)`;
    }
    case 'health':
      return err
        ? `GET ${String(d.url)}: ${err} (not fatal)`
        : `GET ${String(d.url)} → HTTP ${String(d.status)}${c.ok ? '' : ' (not fatal)'}`;
    case 'upgrade':
      if (d.status === 101 || c.ok)
        return `HTTP 101 Switching Protocols${d.origin ? ` (Origin ${String(d.origin)})` : ''}`;
      return d.status !== null && d.status !== undefined
        ? `HTTP ${String(d.status)} instead of 101${d.bodyHead ? `: ${JSON.stringify(String(d.bodyHead).slice(0, 60))}` : ''}`
        : `failed: ${err ?? 'no answer'}`;
    case 'origin': {
      const refused =
        (d.refused as Array<{ origin: string; status: number | null; closeCode: number | null }>) ?? [];
      const acc = (d.accepted as string[]) ?? [];
      return `accepted: ${acc.join(', ') || 'none'}; refused: ${
        refused
          .map(
            (r) =>
              `${r.origin} (${r.status !== null && r.status !== 101 ? r.status : `close ${r.closeCode}`})`,
          )
          .join(', ') || 'none'
      }`;
    }
    case 'mixed-content':
      return c.ok
        ? `${String(d.url)} from ${String(d.pageOrigin)}: allowed`
        : `${String(d.url)} from ${String(d.pageOrigin)}: blocked by browsers`;
    case 'echo':
      return `${n(d.matched)}/${n(d.requested)} echoed${d.samples ? `, ${latency(d)}` : ''}`;
    case 'ping':
      return `${n(d.answered)}/${n(d.sent)} pongs${n(d.late) !== '0' && d.late ? `, ${n(d.late)} late` : ''}${d.samples ? `, ${latency(d)}` : ''}`;
    case 'heartbeat': {
      const beats = typeof d.protocolBeats === 'number' ? d.protocolBeats : 0;
      if (beats > 0 && d.from === 'client')
        return `${String(d.protocol)} keep-alive answered (every ${n(d.intervalSeconds, ' s')}, ${n(beats)} in ${n(d.observedSeconds, ' s')})`;
      if (beats > 0)
        return `${String(d.protocol)} heartbeat every ${n(d.intervalSeconds, ' s')} (${n(beats)} in ${n(d.observedSeconds, ' s')})`;
      if (d.serverPings)
        return `server pings every ${n(d.intervalSeconds, ' s')} (${n(d.serverPings)} in ${n(d.observedSeconds, ' s')})`;
      if (d.verdict === 'client')
        return `${String(d.protocol)} keep-alive every ${n(d.intervalSeconds, ' s')} is the client's; none due in ${n(d.observedSeconds, ' s')}`;
      if (d.verdict === 'not-observed')
        return `no ping observed in ${n(d.observedSeconds, ' s')} (not a verdict: that needs ${n(d.neededSeconds, ' s')})`;
      return `no server ping in ${n(d.observedSeconds, ' s')}`;
    }
    case 'idle':
      if (typeof d.refused === 'string') return `not held: the protocol's opening was refused (${d.refused})`;
      if (d.endedBy === 'limit') return `idle connection still open after ${n(d.livedSeconds, ' s')}`;
      return `idle connection ended after ${n(d.livedSeconds, ' s')} (${n(d.idleSeconds, ' s')} without traffic): ${
        d.closeCode === 1006 || d.closedBy === 'network'
          ? '1006, no close frame'
          : `${n(d.closeCode)} from the ${String(d.closedBy)}`
      }`;
    case 'layers':
      return d.failing === 'none' ? 'proxy and backend both healthy' : `the ${String(d.failing)} fails`;
    case 'session':
      return `${String(d.kind)}, ${String(d.status)}: ${counted(d.connections, 'connection')}, ${counted(d.frames, 'frame')} over ${n(d.durationSeconds, ' s')}`;
    case 'stored frames': {
      const damaged = d.damaged as DamagedFrames;
      return `${damageWords(damaged)}; ${damaged.frames === 1 ? 'its payload was' : 'their payloads were'} left out of the analysis`;
    }
    case 'handshakes':
      return `${n(d.opened)} of ${n(d.attempts)} attempts opened${d.failed ? `; failures: ${entries(d.failures)}` : ''}`;
    case 'close codes':
      return entries(d.distribution) || 'no connection closed';
    case 'protocol':
      return c.ok
        ? 'the server kept to the protocol'
        : `the client closed connections for protocol violations: ${entries(d.violations)}`;
    case 'lifetimes':
      return d.connections
        ? d.connections === 1
          ? `1 connection lived ${n(d.maxSeconds, ' s')}`
          : `${n(d.connections)} connections lived ${n(d.minSeconds)}–${n(d.maxSeconds)} s (median ${n(d.medianSeconds, ' s')})`
        : 'no connection opened and closed';
    case 'idle before close':
      return d.idleTimeoutSeconds !== null && d.idleTimeoutSeconds !== undefined
        ? `connections cut after ${n(d.idleTimeoutSeconds, ' s')} without traffic`
        : 'no idle-timeout pattern';
    case 'reconnects':
      return d.reconnects
        ? `${n(d.reconnects)} reconnects, peak ${n(d.peakPerSecond)}/s over ${n(d.windowSeconds, ' s')}${d.medianDelayMs !== null && d.medianDelayMs !== undefined ? `, median delay ${n(d.medianDelayMs, ' ms')}` : ''}${d.backoff === false ? ', no backoff' : ''}`
        : 'no reconnects';
    case 'heartbeats': {
      const app = d.protocolHeartbeats as Record<string, unknown> | null | undefined;
      return `server pings: ${n(d.serverPings)}${d.serverIntervalSeconds ? ` every ${n(d.serverIntervalSeconds, ' s')}` : ''}; client pings: ${n(d.clientPings)}${d.clientIntervalSeconds ? ` every ${n(d.clientIntervalSeconds, ' s')}` : ''}; pongs missing ${n(d.pongsMissing)}, late ${n(d.pongsLate)}${app && (Number(app.fromServer) > 0 || Number(app.fromClient) > 0) ? `; ${Object.keys((app.protocols as Record<string, number> | undefined) ?? {}).join(', ')} heartbeats: ${n(app.fromServer)} from the server, ${n(app.fromClient)} from the client, ${n(app.answered)} answered` : ''}`;
    }
    case 'protocol refusals':
      return c.ok
        ? 'nothing refused'
        : [
            [d.authRefused, 'refused opening'],
            [d.subscriptionsRefused, 'refused subscription'],
            [d.subprotocolRefused, 'refused subprotocol'],
          ]
            .filter(([v]) => typeof v === 'number' && v > 0)
            .map(([v, noun]) => counted(v, noun as string))
            .join(', ');
    case 'round trips': {
      const ping = d.ping as Record<string, unknown> | null;
      const rr = d.requestResponse as Record<string, unknown> | null;
      const parts = [
        ping ? `ping ${latency(ping)}` : null,
        rr ? `request/response (by ${pairedByWords(d)}) ${latency(rr)}` : null,
      ].filter(Boolean);
      return parts.length ? parts.join('; ') : 'no round trips to measure';
    }
    case 'messages':
      return `${n(d.sent)} sent, ${n(d.received)} received${d.silentConnections ? `; ${n(d.silentConnections)} connections got nothing back` : ''}`;
    case 'bursts':
      return c.ok ? 'no bursts' : `bursts on ${((d.bursty as unknown[]) ?? []).length} connections`;
    default:
      return JSON.stringify(d).slice(0, 160);
  }
}
