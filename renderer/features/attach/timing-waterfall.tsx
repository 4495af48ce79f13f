// The phases of one connection attempt laid end to end: DNS, TCP, TLS, upgrade.
import type { ResponseOf } from '../../../shared/contract';
import { formatMs } from '../../components/format';

type Timings = ResponseOf<'sessions', 'get'>['connections'][number]['timings'];

const PHASES: ReadonlyArray<{ key: keyof Timings; label: string; skipped: string }> = [
  { key: 'dnsMs', label: 'DNS', skipped: 'not needed (an address, or not reached)' },
  { key: 'tcpMs', label: 'TCP', skipped: 'not reached' },
  { key: 'tlsMs', label: 'TLS', skipped: 'none (ws://) or not reached' },
  { key: 'upgradeMs', label: 'Upgrade', skipped: 'not reached' },
];

export function TimingWaterfall({ timings }: { timings: Timings }) {
  const total = PHASES.reduce((sum, p) => sum + (timings[p.key] ?? 0), 0);
  let start = 0;
  return (
    <div className="waterfall" role="table" aria-label="Connection timings">
      {PHASES.map((p) => {
        const ms = timings[p.key];
        const left = total > 0 ? (start / total) * 100 : 0;
        const width = total > 0 && ms !== null ? (ms / total) * 100 : 0;
        if (ms !== null) start += ms;
        return (
          <div key={p.key} className="waterfall-row" role="row">
            <span className="waterfall-label" role="rowheader">
              {p.label}
            </span>
            <span className="waterfall-track" role="cell">
              {ms !== null ? (
                <span
                  className={`waterfall-bar phase-${p.key}`}
                  style={{ left: `${left}%`, width: `max(2px, ${width}%)` }}
                />
              ) : null}
            </span>
            <span className="waterfall-value" role="cell" title={ms === null ? p.skipped : undefined}>
              {ms === null ? '—' : formatMs(ms)}
            </span>
          </div>
        );
      })}
      <div className="waterfall-row waterfall-total" role="row">
        <span className="waterfall-label" role="rowheader">
          Total
        </span>
        <span className="waterfall-track" role="cell" />
        <span className="waterfall-value" role="cell">
          {PHASES.some((p) => timings[p.key] !== null) ? formatMs(total) : '—'}
        </span>
      </div>
    </div>
  );
}
