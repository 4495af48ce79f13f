// The checklist as it ticks: each check waiting, running (a spinner), then passed ✓ or failed ✗ with
// what it saw and how long it took. The idle hold, which takes up to the idle limit, shows how much
// of it has passed.
import { useEffect, useState } from 'react';
import { formatMs } from '../../components/format';
import { checkLabel, DIRECT_PREFIX, type CheckRow, type RowState } from './checklist-model';

const STATE_WORD: Readonly<Record<RowState, string>> = {
  pending: 'waiting',
  running: 'running',
  ok: 'passed',
  failed: 'failed',
  soft: 'failed, not fatal',
  skipped: 'not run',
};

/** The current time, every `everyMs` while `active`. */
export function useNow(active: boolean, everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

function Mark({ state }: { state: RowState }) {
  if (state === 'running') return <span className="diag-spinner" aria-hidden="true" />;
  const glyph = { pending: '', ok: '✓', failed: '✗', soft: '!', skipped: '–' }[state];
  return (
    <span className="diag-mark" aria-hidden="true">
      {glyph}
    </span>
  );
}

/** How far an idle hold has got: a bar and the seconds left. */
function IdleHold({
  startedAt,
  limitSeconds,
  now,
}: {
  startedAt: number;
  limitSeconds: number;
  now: number;
}) {
  const elapsed = Math.max(0, (now - startedAt) / 1000);
  const shown = Math.min(elapsed, limitSeconds);
  const left = Math.max(0, Math.ceil(limitSeconds - elapsed));
  return (
    <div className="diag-idle">
      <div
        className="diag-idle-bar"
        role="progressbar"
        aria-label="Idle hold"
        aria-valuemin={0}
        aria-valuemax={limitSeconds}
        aria-valuenow={Math.floor(shown)}
        aria-valuetext={`${Math.floor(shown)} of ${limitSeconds} seconds`}
      >
        <span style={{ width: `${(shown / limitSeconds) * 100}%` }} />
      </div>
      <span className="diag-idle-text">
        {left > 0 ? `${Math.floor(shown)} s of ${limitSeconds} s · ${left} s left` : 'limit reached, closing'}
      </span>
    </div>
  );
}

function Row({ row, now, idleLimitSeconds }: { row: CheckRow; now: number; idleLimitSeconds?: number }) {
  const bare = row.name.startsWith(DIRECT_PREFIX) ? row.name.slice(DIRECT_PREFIX.length) : row.name;
  const holding = row.state === 'running' && bare === 'idle' && row.startedAt !== null && idleLimitSeconds;
  return (
    <li className={`diag-check is-${row.state}`} data-check={row.name} data-state={row.state}>
      <Mark state={row.state} />
      <span className="diag-check-name">
        {checkLabel(row.name)}
        <span className="diag-sr"> — {STATE_WORD[row.state]}</span>
      </span>
      <span className="diag-check-time">{row.ms !== null ? formatMs(row.ms) : ''}</span>
      {row.detail ? <span className="diag-check-detail">{row.detail}</span> : null}
      {holding ? <IdleHold startedAt={row.startedAt!} limitSeconds={idleLimitSeconds} now={now} /> : null}
    </li>
  );
}

interface Group {
  title: string | null;
  url: string | null;
  rows: CheckRow[];
}

/** Rows in groups: through the URL, straight to the backend, and the comparison of the two. */
function groupsOf(rows: readonly CheckRow[], target?: string, direct?: string): Group[] {
  const directRows = rows.filter((r) => r.name.startsWith(DIRECT_PREFIX));
  if (directRows.length === 0) return [{ title: null, url: null, rows: [...rows] }];
  const compared = rows.filter((r) => r.name === 'layers');
  const main = rows.filter((r) => !r.name.startsWith(DIRECT_PREFIX) && r.name !== 'layers');
  return [
    { title: 'Through the URL', url: target ?? null, rows: main },
    { title: 'Direct to the backend', url: direct ?? null, rows: directRows },
    ...(compared.length ? [{ title: 'Compared', url: null, rows: compared }] : []),
  ];
}

export function Checklist({
  rows,
  label,
  idleLimitSeconds,
  target,
  direct,
}: {
  rows: readonly CheckRow[];
  label: string;
  idleLimitSeconds?: number;
  target?: string;
  direct?: string | undefined;
}) {
  const ticking = idleLimitSeconds !== undefined && rows.some((r) => r.state === 'running');
  const now = useNow(ticking);
  return (
    <div className="diag-checklist" aria-label={label} role="group">
      {groupsOf(rows, target, direct).map((g, i) => (
        <div key={g.title ?? i} className="diag-check-group">
          {g.title ? (
            <h4 className="diag-group-title">
              {g.title}
              {g.url ? <span className="mono"> {g.url}</span> : null}
            </h4>
          ) : null}
          <ul className="diag-checks">
            {g.rows.map((r) => (
              <Row
                key={r.name}
                row={r}
                now={now}
                {...(idleLimitSeconds !== undefined ? { idleLimitSeconds } : {})}
              />
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
