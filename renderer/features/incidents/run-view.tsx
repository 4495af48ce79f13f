// One command or app action run at a step, in place: how it is going or how it ended, its output
// (streamed while it runs), and what it found.
import { useEffect, useRef, useState } from 'react';
import type { Api } from '../../../shared/contract';
import { DiagnosisSchema } from '../../../shared/findings';
import type { WalkRun } from '../../../shared/contract/incidents';
import { parseMicros } from '../../../shared/time';
import { CopyButton } from '../../components/copy-button';
import { formatBytes, formatCount } from '../../components/format';
import { JsonTree } from '../../components/json-tree';
import { SessionLink } from '../../components/links';
import { clockTime, formatCountdown, runStatusText } from './walk-format';
import { QueryResultSchema } from '../../../shared/prometheus';
import { QueryChart } from '../../components/charts/query-chart';

/** How often a running capture's frame count is read again. */
const PROGRESS_MS = 1000;

/** Actions that record into a session while they run: their progress counts its frames. */
const recording = (kind: WalkRun['kind']) => kind === 'capture' || kind === 'relay';

/** A running action's time so far and, for a capture or a relay, the frames it has recorded. */
function RunProgress({
  api,
  run,
  clockOffsetMs,
  sessionName,
}: {
  api: Api;
  run: WalkRun;
  clockOffsetMs: number;
  sessionName: string;
}) {
  const [now, setNow] = useState(() => Date.now());
  const [frames, setFrames] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    const tick = () => {
      setNow(Date.now());
      if (!recording(run.kind)) return;
      api.sessions.list({ status: 'live', query: sessionName }).then(
        (list) => {
          const s = list.find((x) => x.name === sessionName);
          if (live && s) setFrames(s.frames);
        },
        () => {
          // the next tick asks again
        },
      );
    };
    tick();
    const timer = setInterval(tick, PROGRESS_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, run.kind, sessionName]);
  const elapsed = (now + clockOffsetMs - parseMicros(run.startedAt) / 1000) / 1000;
  return (
    <p className="run-progress" data-testid="run-progress" aria-live="off">
      {formatCountdown(elapsed)}
      {recording(run.kind) ? ` · ${frames === null ? '…' : formatCount(frames)} frames` : ' so far'}
    </p>
  );
}

const STATUS_CLASS: Record<WalkRun['status'], string> = {
  running: 'chip',
  ok: 'chip chip-ok',
  failed: 'chip chip-error',
  timeout: 'chip chip-error',
  stopped: 'chip chip-warn',
  unavailable: 'chip chip-warn',
  interrupted: 'chip chip-warn',
};

/** What a capture or relay action answers (actions.ts), as far as the console shows it. */
interface CaptureResult {
  sessionId?: number;
  frames?: number;
  connections?: number;
  closes?: Array<{ connection: number; code: number | null; name: string | null; closedBy: string | null }>;
}

/** A query step's answers: each query's verdict and its chart over the incident's window. */
function QueryAnswers({ run }: { run: WalkRun }) {
  const parsed = QueryResultSchema.safeParse(run.result);
  if (!parsed.success) return null;
  const result = parsed.data;
  return (
    <div className="run-queries">
      {result.queries.map((q, i) => (
        <section key={i} className="run-query" data-testid="run-query" data-pass={q.pass}>
          <p className="run-query-head">
            <span className={q.pass ? 'chip chip-ok' : 'chip chip-error'} data-testid="query-verdict">
              {q.pass ? 'PASS' : 'FAIL'}
            </span>{' '}
            <code className="run-query-promql">{q.promql}</code>
          </p>
          <p className={q.error ? 'run-query-error' : 'run-query-verdict'}>{q.error ?? q.verdict}</p>
          {q.error === null || q.series.length ? <QueryChart result={result} answer={q} /> : null}
        </section>
      ))}
    </div>
  );
}

function ActionResult({ run }: { run: WalkRun }) {
  const [open, setOpen] = useState(false);
  if (run.result === null || run.result === undefined) return null;
  const diagnosis = DiagnosisSchema.safeParse(run.result);
  const capture = recording(run.kind) ? (run.result as CaptureResult) : null;
  const sessionId = capture?.sessionId ?? (diagnosis.success ? diagnosis.data.sessionId : null);
  return (
    <div className="run-result">
      {run.kind === 'query' ? <QueryAnswers run={run} /> : null}
      {sessionId ? (
        <p className="run-session">
          Recorded in <SessionLink id={sessionId} />
          {capture?.frames !== undefined ? `: ${formatCount(capture.frames)} frames` : ''}
        </p>
      ) : null}
      {diagnosis.success ? (
        diagnosis.data.findings.length ? (
          <ul className="run-findings">
            {diagnosis.data.findings.map((f, i) => (
              <li key={i} className={`run-finding sev-${f.severity}`} data-finding={f.id}>
                <span className="run-finding-head">
                  <code>{f.id}</code> <strong>{f.title}</strong>
                </span>
                <span className="run-finding-summary">{f.summary}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="run-ok-note">No findings: every check passed.</p>
        )
      ) : null}
      {capture?.closes?.length ? (
        <ul className="run-closes">
          {capture.closes.map((c) => (
            <li key={c.connection}>
              connection {c.connection}:{' '}
              {c.code === null ? 'no close code' : `${c.code}${c.name ? ` ${c.name}` : ''}`}
              {c.closedBy ? `, closed by ${c.closedBy}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      <button
        type="button"
        className="btn btn-ghost btn-small"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
      >
        {open ? 'Hide the details' : 'Details'}
      </button>
      {open ? (
        <div className="run-json">
          <JsonTree value={run.result} expandDepth={2} />
        </div>
      ) : null}
    </div>
  );
}

/** A running relay step's address, to copy into the client under test (the first line of its output says it). */
function RelayAddress({ output, running }: { output: string; running: boolean }) {
  const url = /^point the client at (\S+)/.exec(output)?.[1];
  if (!running || !url) return null;
  return (
    <p className="run-relay" data-testid="run-relay">
      Point the client at <code className="mono">{url}</code>
      <CopyButton text={url} label="Copy URL" />
    </p>
  );
}

function Output({ text, running }: { text: string; running: boolean }) {
  const ref = useRef<HTMLPreElement>(null);
  // Follow the output while it grows, unless the reader scrolled up.
  useEffect(() => {
    const el = ref.current;
    if (!el || !running) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 40) el.scrollTop = el.scrollHeight;
  }, [text, running]);
  return (
    <pre ref={ref} className="run-output" data-testid="run-output" tabIndex={0}>
      {text || (running ? 'waiting for output…' : '(no output)')}
    </pre>
  );
}

export function RunView({
  api,
  run,
  live,
  earlier,
  onStop,
  stopping,
  clockOffsetMs,
  sessionName,
}: {
  api: Api;
  run: WalkRun;
  /** Output streamed while it runs. */
  live: string | undefined;
  /** Run at an earlier visit of this node. */
  earlier: boolean;
  onStop: () => void;
  stopping: boolean;
  clockOffsetMs: number;
  /** The session a capture of this step records into. */
  sessionName: string;
}) {
  const running = run.status === 'running';
  const output = running && live !== undefined && live.length >= run.output.length ? live : run.output;
  return (
    <div
      className={`run-view is-${run.status}`}
      data-run={run.id}
      data-status={run.status}
      data-kind={run.kind}
    >
      <div className="run-head">
        <span className={STATUS_CLASS[run.status]} data-testid="run-status">
          {running ? <span className="run-spinner" aria-hidden="true" /> : null}
          {runStatusText(run)}
        </span>
        <span className="run-when muted">
          {clockTime(run.startedAt)}
          {earlier ? ' · an earlier visit' : ''}
        </span>
        <span className="spacer" />
        {running ? (
          <button type="button" className="btn btn-danger btn-small" onClick={onStop} disabled={stopping}>
            {stopping ? 'Stopping…' : 'Stop'}
          </button>
        ) : null}
      </div>
      {run.kind === 'shell' ? (
        <div className="run-command">
          <code className="run-command-text">$ {run.request}</code>
          {run.original !== null ? (
            <span className="chip chip-warn" title={`The runbook's command:\n${run.original}`}>
              edited
            </span>
          ) : null}
          <CopyButton text={run.request} label="Copy" title="Copy the command as run" />
        </div>
      ) : null}
      {running && run.kind !== 'shell' ? (
        <RunProgress api={api} run={run} clockOffsetMs={clockOffsetMs} sessionName={sessionName} />
      ) : null}
      {/* A query's answers say it query by query, under the run. */}
      {run.summary && !(run.kind === 'query' && QueryResultSchema.safeParse(run.result).success) ? (
        <p className="run-summary">{run.summary}</p>
      ) : null}
      {run.kind === 'relay' ? <RelayAddress output={output} running={running} /> : null}
      {run.kind === 'shell' || run.kind === 'relay' ? (
        <>
          <Output text={output} running={running} />
          {run.truncated ? (
            <p className="run-truncated warn-text small">
              Output truncated: {formatBytes(run.outputBytes)} written; the first and the last part are kept.
            </p>
          ) : null}
        </>
      ) : null}
      {run.kind !== 'shell' ? <ActionResult run={run} /> : null}
    </div>
  );
}
