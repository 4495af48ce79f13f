// Where the walk stands: the current node, its steps as a checklist with their commands and app
// actions, the ways on (with the one the findings support and why), going back, and notes. Every
// move goes through the engine, which writes it into the incident's timeline.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type Api } from '../../../shared/contract';
import type { RunbookStep } from '../../../shared/runbooks/schemas';
import type { WalkView } from '../../../shared/contract/incidents';
import type { ConnectionProfile } from '../../../shared/contract/walk-profile';
import { useVerify, VerifyNudgeDialog } from './verify-compare';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { useHotkey } from '../../components/hotkeys';
import { nodeText } from '../../../shared/runbooks/flow-layout';
import { Markdown } from './markdown';
import { RunDialog, type RunRequest } from './run-dialog';
import { StepItem, type StepRun } from './step-item';
import { TimeBox } from './time-box';
import { clockTime, formatSeconds, isTimedAction } from './walk-format';

const KIND_WORD = { step: 'Step', decision: 'Decision', start: 'Start', end: 'End' } as const;

/** The current node's steps checked off, as the engine keeps them (by hand, or by a run that went well). */
function checkedSteps(walk: WalkView): Set<number> {
  return new Set(walk.checked[walk.current.visit.node] ?? []);
}

export function NodePanel({
  api,
  walk,
  live,
  clockOffsetMs,
  send,
}: {
  api: Api;
  walk: WalkView;
  live: ReadonlyMap<number, string>;
  clockOffsetMs: number;
  /** Sends a move (or a note) the engine answers with the walk, and shows the answer. */
  send: (request: () => Promise<WalkView>) => Promise<WalkView>;
}) {
  const { current, runbook } = walk;
  const visit = current.visit;
  const node = runbook.nodes.find((n) => n.id === visit.node);
  const [moving, setMoving] = useState(false);
  const [moveError, setMoveError] = useState<string | null>(null);
  const [stepError, setStepError] = useState<{ step: number; message: string } | null>(null);
  const [dialog, setDialog] = useState<RunbookStep | null>(null);
  const [dialogBusy, setDialogBusy] = useState(false);
  // Whether this engine runs a command edited here (browser mode may not): said before editing.
  const [edits, setEdits] = useState<{ allowed: boolean; advice: string | null }>({
    allowed: true,
    advice: null,
  });
  useEffect(() => {
    let live = true;
    api.app.info({}).then(
      (i) => {
        if (live) setEdits(i.editedCommands);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [api]);
  const [dialogError, setDialogError] = useState<string | null>(null);
  // The host asked for a confirmation outside the page (browser mode: the code in serve's terminal).
  const [codeAsked, setCodeAsked] = useState<{ command: string; message: string } | null>(null);
  const [stopping, setStopping] = useState<ReadonlySet<number>>(new Set());
  // A tick shows at once; the engine's answer confirms it.
  const [ticking, setTicking] = useState<ReadonlyMap<number, boolean>>(new Map());
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState<string | null>(null);
  const verify = useVerify(api, walk);
  const [nudging, setNudging] = useState<{ label: string; nudge: string } | null>(null);

  // A new node is read from its top.
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    panel.current?.scrollTo({ top: 0 });
  }, [visit.visitId]);

  const running = walk.runs.some((r) => r.status === 'running');
  const busy = moving || running;
  const checked = checkedSteps(walk);
  for (const [index, done] of ticking) {
    if (done) checked.add(index);
    else checked.delete(index);
  }
  // Labels of three lines or more are a title with details; shorter ones are one sentence.
  const labelLines = (node?.label ?? visit.node).split('\n').map((l) => l.trim());
  const title = nodeText(node?.label ?? visit.node);
  const details = labelLines.length >= 3 ? labelLines.slice(1) : [];
  const previous = walk.path.length > 1 ? walk.path[walk.path.length - 2]! : null;
  const suggestion = current.suggestions[0] ?? null;
  const labelOf = (id: string) => nodeText(runbook.nodes.find((n) => n.id === id)?.label ?? id);
  const notes = walk.timeline.filter((e) => e.kind === 'note' && e.node === visit.node);

  const move = async (what: () => Promise<WalkView>) => {
    setMoving(true);
    setMoveError(null);
    try {
      await send(what);
    } catch (err) {
      setMoveError(errorMessage(err));
    } finally {
      setMoving(false);
    }
  };

  // At VERIFY, "Yes" waits for a word on what does not show it yet (shared/runbooks/verify.ts).
  const choose = async (label: string) => {
    const nudge = await verify.nudgeFor(label);
    if (nudge) setNudging({ label, nudge });
    else await move(() => api.walks.choose({ id: walk.id, label }));
  };

  const runsOf = (step: number): StepRun[] =>
    walk.runs
      .filter((r) => r.node === visit.node && r.step === step)
      .map((run) => ({ run, earlier: run.startedAt < visit.enteredAt }))
      .reverse();

  const runShell = async (step: RunbookStep, r: RunRequest) => {
    setDialogBusy(true);
    setDialogError(null);
    try {
      await api.walks.run({
        id: walk.id,
        step: step.index,
        command: r.command,
        confirmed: true,
        timeoutSeconds: r.timeoutSeconds,
        outputCapBytes: r.outputCapBytes,
        ...(r.code !== undefined ? { code: r.code } : {}),
      });
      setDialog(null);
      setCodeAsked(null);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'needs-confirmation')
        setCodeAsked({ command: r.command, message: err.message });
      else {
        // A refused or wrong code is spent: the next Run asks for a new one.
        if (r.code !== undefined) setCodeAsked(null);
        setDialogError(errorMessage(err));
      }
    } finally {
      setDialogBusy(false);
    }
  };

  const runAction = async (step: RunbookStep, args: { duration?: number; profile?: ConnectionProfile }) => {
    setStepError(null);
    try {
      await api.walks.action({ id: walk.id, step: step.index, ...args });
    } catch (err) {
      setStepError({ step: step.index, message: errorMessage(err) });
    }
  };

  const stop = async (runId: number) => {
    setStopping((s) => new Set(s).add(runId));
    try {
      await api.walks.stop({ runId });
    } catch (err) {
      setMoveError(errorMessage(err));
    } finally {
      setStopping((s) => {
        const next = new Set(s);
        next.delete(runId);
        return next;
      });
    }
  };

  const check = async (step: RunbookStep, done: boolean) => {
    setTicking((t) => new Map(t).set(step.index, done));
    await move(() => api.walks.check({ walk: walk.id, node: visit.node, step: step.index, checked: done }));
    setTicking((t) => {
      const next = new Map(t);
      next.delete(step.index);
      return next;
    });
  };

  // The keyboard walks too: a number takes that way on, B goes back, R runs the next step not done.
  const keysOn = dialog === null && nudging === null && !moving;
  useHotkey(
    ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    (e) => {
      const choice = current.choices[Number(e.key) - 1];
      if (choice) void choose(choice.label);
    },
    { enabled: keysOn },
  );
  useHotkey('b', () => previous && void move(() => api.walks.back({ id: walk.id })), { enabled: keysOn });
  useHotkey(
    'r',
    () => {
      const next = current.steps.find((st) => !checked.has(st.index) && (st.command !== null || st.action));
      if (!next || busy) return;
      if (next.command !== null) {
        setDialogError(null);
        setCodeAsked(null);
        setDialog(next);
      } else if (next.action)
        void runAction(next, isTimedAction(next.action) ? { duration: next.action.duration } : {});
    },
    { enabled: keysOn },
  );

  const addNote = async () => {
    const text = note.trim();
    if (!text) return;
    setNoteError(null);
    try {
      await send(() => api.walks.note({ id: walk.id, text }));
      setNote('');
    } catch (err) {
      setNoteError(errorMessage(err));
    }
  };

  const checklist = current.steps.length ? (
    <div className="node-section">
      <h3 className="section-title">
        Checklist{' '}
        <span className="muted">{`${[...checked].filter((i) => current.steps.some((s) => s.index === i)).length} of ${current.steps.length}`}</span>
      </h3>
      <ol className="step-list">
        {current.steps.map((s) => (
          <StepItem
            key={`${visit.visitId}-${s.index}`}
            api={api}
            step={s}
            runs={runsOf(s.index)}
            live={live}
            checked={checked.has(s.index)}
            target={walk.target}
            direct={walk.direct}
            busy={busy}
            error={stepError?.step === s.index ? stepError.message : null}
            stopping={stopping}
            clockOffsetMs={clockOffsetMs}
            sessionName={`incident ${walk.incident.id} walk ${walk.id}: ${visit.node} step ${s.index}`}
            onCheck={(done) => void check(s, done)}
            onShell={() => {
              setDialogError(null);
              setCodeAsked(null);
              setDialog(s);
            }}
            onAction={(args) => void runAction(s, args)}
            onStop={(id) => void stop(id)}
          />
        ))}
      </ol>
    </div>
  ) : null;

  const findingList = walk.findings.length ? (
    <div className="node-section">
      <h3 className="section-title">Findings of this walk</h3>
      <ul className="walk-findings">
        {walk.findings.map((f, i) => (
          <li key={i} data-finding={f.id} data-severity={f.severity}>
            <span className={`walk-finding-severity is-${f.severity}`}>{f.severity}</span> <code>{f.id}</code>{' '}
            <span>{f.evidence}</span>{' '}
            <span className="muted small">
              {f.source} · {clockTime(f.at)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  ) : null;

  const wayOn = (
    <div className="node-section">
      <h3 className="section-title">{current.choices.length > 1 ? 'Which way?' : 'Next'}</h3>
      {suggestion ? (
        <div className="suggestion" data-testid="suggestion" data-choice={suggestion.label}>
          <p className="suggestion-head">
            <span className="chip chip-ok">Suggested</span> <strong>{suggestion.label}</strong>
          </p>
          <p className="suggestion-reason">{suggestion.reason}</p>
          <ul className="suggestion-evidence">
            {suggestion.findings.map((f, i) => (
              <li key={i}>
                <code>{f.id}</code> {f.evidence}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {current.choices.length ? (
        <div className="choices" role="group" aria-label="Ways on">
          {current.choices.map((c) => {
            const suggested = current.suggestions.some((s) => s.label === c.label);
            return (
              <button
                key={c.label}
                type="button"
                className={`btn choice${suggested ? ' btn-primary is-suggested' : ''}`}
                data-choice={c.label}
                disabled={moving}
                onClick={() => void choose(c.label)}
                title={`Go to ${c.to}: ${c.toLabel}`}
              >
                <span className="choice-label">
                  {c.label === 'next' ? `Next: ${labelOf(c.to)}` : c.label}
                </span>
                {c.label !== 'next' && c.label !== c.toLabel ? (
                  <span className="choice-to">→ {labelOf(c.to)}</span>
                ) : null}
              </button>
            );
          })}
        </div>
      ) : (
        <p className="muted">No way on from here: this is an end of the runbook.</p>
      )}
      <div className="back-row">
        <button
          type="button"
          className="btn btn-ghost"
          disabled={!previous || moving}
          onClick={() => void move(() => api.walks.back({ id: walk.id }))}
        >
          ← Back{previous ? ` to ${labelOf(previous.node)}` : ''}
        </button>
        {running ? (
          <span className="muted small">A run is going: moving on leaves it running here.</span>
        ) : null}
      </div>
      {moveError ? <ErrorNote>{moveError}</ErrorNote> : null}
    </div>
  );

  return (
    <section ref={panel} className="node-panel" aria-label="Current step" data-node={visit.node}>
      <header className="node-head">
        <div className="node-kicker">
          <span className={`chip node-kind kind-${visit.kind}`}>{KIND_WORD[visit.kind]}</span>
          <code className="node-id">{visit.node}</code>
          <span className="muted small">
            entered {clockTime(visit.enteredAt)}
            {visit.via === 'back' ? ' (went back)' : ''}
          </span>
          <span className="spacer" />
          {current.deadline && visit.timeboxSeconds ? (
            <TimeBox
              deadline={current.deadline}
              seconds={visit.timeboxSeconds}
              clockOffsetMs={clockOffsetMs}
            />
          ) : null}
        </div>
        <h2 className="node-title" data-testid="node-title">
          {title}
        </h2>
        {details.length ? (
          <ul className="node-details">
            {details.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        ) : null}
      </header>

      {walk.status === 'finished' ? (
        <p className="walk-finished" role="status">
          The walk finished here at {clockTime(walk.endedAt ?? visit.enteredAt)}. Go back to take another way.
        </p>
      ) : null}

      {node?.text ? <Markdown text={node.text} className="node-text" /> : null}

      {verify.panel}
      {visit.kind === 'decision' ? (
        <>
          {wayOn}
          {checklist}
        </>
      ) : (
        <>
          {checklist}
          {wayOn}
        </>
      )}
      {findingList}

      <div className="node-section">
        <h3 className="section-title">Notes</h3>
        {notes.length ? (
          <ul className="node-notes">
            {notes.map((n) => (
              <li key={n.id}>
                <span className="muted small">{clockTime(n.ts)}</span> {n.text}
              </li>
            ))}
          </ul>
        ) : null}
        <form
          className="note-form"
          onSubmit={(e) => {
            e.preventDefault();
            void addNote();
          }}
        >
          <textarea
            aria-label="Note"
            placeholder="What you saw or decided — it goes into the incident timeline (Ctrl+Enter)"
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void addNote();
              }
            }}
          />
          <button type="submit" className="btn" disabled={!note.trim()}>
            Add note
          </button>
        </form>
        {noteError ? <ErrorNote>{noteError}</ErrorNote> : null}
      </div>

      {visit.timeboxSeconds && !current.deadline ? (
        <p className="muted small">Time box {formatSeconds(visit.timeboxSeconds)}</p>
      ) : null}

      {dialog ? (
        <RunDialog
          step={dialog}
          nodeId={visit.node}
          target={walk.target}
          direct={walk.direct}
          busy={dialogBusy}
          error={dialogError}
          onRun={(r) => void runShell(dialog, r)}
          codeAsked={codeAsked}
          edits={edits}
          onCancel={() => {
            setDialog(null);
            setCodeAsked(null);
          }}
        />
      ) : null}
      {nudging ? (
        <VerifyNudgeDialog
          label={nudging.label}
          nudge={nudging.nudge}
          onCancel={() => setNudging(null)}
          onConfirm={() => {
            const { label } = nudging;
            setNudging(null);
            void move(() => api.walks.choose({ id: walk.id, label }));
          }}
        />
      ) : null}
    </section>
  );
}
