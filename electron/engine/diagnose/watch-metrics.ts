// What a watch has seen, as Prometheus reads it (the text exposition format, version 0.0.4): the
// last probe's handshake phases, round trips and idle cut, failures counted by finding, the
// scorecard's rates over every probe of the watch, and — under the names the debugging guide's alert
// rules query — the connections the watch opened, those it lost and its unanswered heartbeats, so
// that those rules (docs/monitoring/frameline-alerts.yml) fire on what the watch sees.
import type { Check, Finding } from '../../../shared/findings.js';
import type { SessionHead } from '../../../shared/diagnosis/session.js';
import { addTallies, emptyTally, judgeTally, type ScoreTally } from './scorecard.js';

/** The handshake phases, as the probe names its checks. */
const PHASES = ['dns', 'tcp', 'tls', 'upgrade'] as const;

/** What one probe of a watch said: its checks and findings, and its session read for the scorecard. */
export interface WatchRound {
  at: number;
  checks: readonly Check[];
  findings: readonly Finding[];
  head: SessionHead | null;
  tally: ScoreTally | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Seconds to the microsecond: what the probe measures, without float noise in the exposition. */
const micro = (s: number) => Math.round(s * 1e6) / 1e6;

/** A label value as the format writes it: backslash, double quote and line feed escaped. */
export function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The counters and last values of one watch. */
export class WatchMetrics {
  private probes = 0;
  private readonly failures = new Map<string, number>();
  private up: number | null = null;
  private readonly handshake = new Map<string, number>();
  private readonly roundTrip = new Map<string, number>();
  private idleCut: number | null = null;
  private lastProbe: number | null = null;
  private tally = emptyTally();
  private connections = 0;
  private readonly disconnections = new Map<string, number>();
  private heartbeatFailures = 0;

  constructor(readonly target: string) {}

  /** Takes a finished probe. */
  add(round: WatchRound): void {
    this.probes++;
    this.lastProbe = round.at;
    const check = (name: string) => round.checks.find((c) => c.name === name);
    for (const f of round.findings)
      if (f.severity !== 'info') this.failures.set(f.id, (this.failures.get(f.id) ?? 0) + 1);
    this.up = check('upgrade')?.ok ? 1 : 0;
    this.handshake.clear();
    for (const phase of PHASES) {
      const ms = num(check(phase)?.ms);
      if (ms !== null) this.handshake.set(phase, micro(ms / 1000));
    }
    this.roundTrip.clear();
    for (const kind of ['echo', 'ping']) {
      const ms = num(check(kind)?.detail.p50Ms);
      if (ms !== null) this.roundTrip.set(kind, micro(ms / 1000));
    }
    // How long the idle connection lasted when something cut it; 0 when it was held to the limit.
    const idle = check('idle')?.detail;
    this.idleCut = idle ? (idle.endedBy === 'close' ? micro(num(idle.livedSeconds) ?? 0) : 0) : null;
    if (round.tally) {
      this.tally = addTallies(this.tally, round.tally);
      this.connections += round.tally.attempts;
      this.heartbeatFailures +=
        round.tally.pings - round.tally.pingsAnswered + (round.tally.beats - round.tally.beatsAnswered);
    }
    for (const c of round.head?.connections ?? []) {
      if (c.openedAt === null || c.closedBy === 'client' || c.closedAt === null) continue;
      const reason = c.closeCode !== null ? String(c.closeCode) : (c.error?.kind ?? 'network');
      this.disconnections.set(reason, (this.disconnections.get(reason) ?? 0) + 1);
    }
  }

  /** The exposition: every metric with its HELP and TYPE, labelled with the watched target. */
  text(): string {
    const target = `target="${labelValue(this.target)}"`;
    const out: string[] = [];
    const family = (
      name: string,
      type: 'counter' | 'gauge',
      help: string,
      samples: Array<[string, number]>,
    ) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples)
        out.push(`${name}{${[target, labels].filter(Boolean).join(',')}} ${value}`);
    };
    family('frameline_watch_probes_total', 'counter', 'Probes the watch ran against the endpoint.', [
      ['', this.probes],
    ]);
    family(
      'frameline_watch_probe_failures_total',
      'counter',
      'Probes that raised a finding (warning or critical), by finding id.',
      [...this.failures].sort().map(([id, n]) => [`finding="${labelValue(id)}"`, n]),
    );
    if (this.up !== null)
      family('frameline_watch_up', 'gauge', 'Whether the last probe completed a WebSocket upgrade.', [
        ['', this.up],
      ]);
    if (this.lastProbe !== null)
      family('frameline_watch_last_probe_timestamp_seconds', 'gauge', 'When the last probe ended.', [
        ['', this.lastProbe / 1e6],
      ]);
    family(
      'frameline_watch_handshake_seconds',
      'gauge',
      "The last probe's handshake phases: DNS, TCP connect, TLS, HTTP upgrade.",
      [...this.handshake].map(([phase, s]) => [`phase="${phase}"`, s]),
    );
    family(
      'frameline_watch_round_trip_seconds',
      'gauge',
      "The last probe's median round trip: echoed messages, and pings answered by pongs.",
      [...this.roundTrip].map(([kind, s]) => [`kind="${kind}"`, s]),
    );
    if (this.idleCut !== null)
      family(
        'frameline_watch_idle_cut_seconds',
        'gauge',
        "Seconds the last probe's idle connection lasted before something cut it; 0 when it was held to the limit.",
        [['', this.idleCut]],
      );
    const card = judgeTally(this.tally);
    const rates: Array<[keyof typeof card, string, string]> = [
      ['connectionSuccess', 'connection_success', 'connections opened per attempt'],
      ['uptime', 'uptime', 'time connected per time probed'],
      ['delivery', 'delivery', 'requests answered per request sent'],
      ['heartbeat', 'heartbeat_success', 'pings and protocol heartbeats answered per one sent'],
      ['reconnection', 'reconnection_success', 'drops reconnected per drop'],
    ];
    for (const [key, name, words] of rates) {
      const s = card[key];
      if (s.value === null) continue;
      family(
        `frameline_watch_${name}_ratio`,
        'gauge',
        `Scorecard over every probe of the watch: ${words} (the runbook asks for more than ${s.threshold / 100}).`,
        [['', Math.round(s.value * 1000) / 100_000]],
      );
    }
    family(
      'websocket_connections_total',
      'counter',
      "WebSocket connections the watch attempted (the debugging guide's connection-storm rule reads it).",
      [['', this.connections]],
    );
    family(
      'websocket_disconnections_total',
      'counter',
      'Connections of the watch that ended without the watch closing them, by close code or error.',
      [...this.disconnections].sort().map(([reason, n]) => [`reason="${labelValue(reason)}"`, n]),
    );
    family(
      'websocket_heartbeat_failures_total',
      'counter',
      'Pings and protocol heartbeats of the watch that went unanswered.',
      [['', this.heartbeatFailures]],
    );
    return `${out.join('\n')}\n`;
  }
}
