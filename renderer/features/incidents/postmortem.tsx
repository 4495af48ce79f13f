// The incident's post-mortem, editable in place: its times (UTC) and the metrics derived from them,
// who responded, what happened in the order of the templates (summary, impact, trigger, root cause,
// detection, resolution), the lessons, its action items and the sessions it rests on. One save
// sends what changed; the engine writes each change on the timeline.
import { useEffect, useMemo, useState } from 'react';
import type { Api } from '../../../shared/contract';
import type { Incident } from '../../../shared/contract/incidents';
import { formatDuration } from '../../../shared/charts/scale';
import { incidentMetrics } from '../../../shared/incident-metrics';
import { parseMicros } from '../../../shared/time';
import { ErrorNote, errorMessage } from '../../components/error-note';
import { ActionItems } from './action-items';
import { LinkedSessions } from './linked-sessions';
import type { IncidentDetail } from './use-walk';

const TIMES = [
  ['impactStartedAt', 'Impact started'],
  ['detectedAt', 'Detected'],
  ['acknowledgedAt', 'Acknowledged'],
  ['mitigatedAt', 'Mitigated'],
  ['resolvedAt', 'Resolved'],
] as const;

const TEXTS = [
  ['summary', 'Summary', 'What happened, in a few sentences.'],
  ['impact', 'Impact', 'Who was hurt, how badly, for how long.'],
  ['trigger', 'Trigger', 'The change or event that set it off.'],
  ['rootCause', 'Root cause', 'Why it could happen.'],
  ['detection', 'Detection', 'How and when it was noticed.'],
  ['resolution', 'Resolution', 'What stopped it, and what fixed it.'],
] as const;

const LESSONS = [
  ['wentWell', 'What went well'],
  ['wentWrong', 'What went wrong'],
  ['gotLucky', 'Where we got lucky'],
] as const;

type TimeKey = (typeof TIMES)[number][0];
type TextKey = (typeof TEXTS)[number][0] | (typeof LESSONS)[number][0];
type Draft = Record<TimeKey | TextKey | 'responders', string>;

/** An ISO time as the field shows it: `2026-11-22 01:53:00` (UTC). */
function timeText(iso: string | null): string {
  return iso === null ? '' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** What the engineer typed as an ISO time: UTC unless they gave a zone; empty clears it. */
function timeValue(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const iso = t.replace(' ', 'T');
  return /(Z|[+-]\d\d:\d\d)$/.test(iso) ? iso : `${iso}Z`;
}

function draftOf(i: Incident): Draft {
  const d = { responders: i.responders.join(', ') } as Draft;
  for (const [k] of TIMES) d[k] = timeText(i[k]);
  for (const [k] of [...TEXTS, ...LESSONS]) d[k] = i[k];
  return d;
}

/** A typed time as epoch microseconds: null when empty, undefined when it is not a time. */
function typedMicros(text: string): number | null | undefined {
  const iso = timeValue(text);
  if (iso === null) return null;
  try {
    return parseMicros(/T\d\d:\d\d:\d\d/.test(iso) ? iso : iso.replace(/(T\d\d:\d\d)/, '$1:00'));
  } catch {
    return undefined;
  }
}

/**
 * The metrics of the times as typed, before they are saved: a time that does not read (yet) leaves
 * the metrics that rest on it empty, as a time not set does.
 */
function draftMetrics(d: Draft): Incident['metrics'] {
  const t = Object.fromEntries(TIMES.map(([k]) => [k, typedMicros(d[k])])) as Record<
    TimeKey,
    number | null | undefined
  >;
  const known = (v: number | null | undefined) => (v === undefined ? null : v);
  const detected = t.detectedAt;
  if (detected === null || detected === undefined)
    return {
      timeToDetectSeconds: null,
      timeToAcknowledgeSeconds: null,
      timeToMitigateSeconds: null,
      timeToResolveSeconds: null,
      measuredFrom: t.impactStartedAt ? 'impact-start' : 'detected',
    };
  const m = incidentMetrics({
    impactStartedAt: known(t.impactStartedAt),
    detectedAt: detected,
    acknowledgedAt: known(t.acknowledgedAt),
    mitigatedAt: known(t.mitigatedAt),
    resolvedAt: known(t.resolvedAt),
  });
  // An impact start that does not read is no start to count from.
  if (t.impactStartedAt === undefined)
    return { ...m, timeToMitigateSeconds: null, timeToResolveSeconds: null };
  return m;
}

function seconds(s: number | null): string {
  return s === null ? '—' : formatDuration(s * 1e6);
}

export function PostMortem({ api, detail }: { api: Api; detail: IncidentDetail }) {
  const incident = detail.incident;
  const saved = useMemo(() => draftOf(incident), [incident]);
  const [draft, setDraft] = useState<Draft>(saved);
  const [dirty, setDirty] = useState<ReadonlySet<keyof Draft>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Changes made elsewhere (the command line, another window) show, except in fields being edited.
  useEffect(() => {
    setDraft((d) => {
      const next = { ...saved };
      for (const k of dirty) next[k] = d[k];
      return next;
    });
  }, [saved]);

  const set = (k: keyof Draft, v: string) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setDirty((s) => {
      const next = new Set(s);
      if (v === saved[k]) next.delete(k);
      else next.add(k);
      return next;
    });
  };

  const save = async () => {
    const change: Record<string, unknown> = { id: incident.id };
    for (const k of dirty) {
      if (k === 'responders')
        change.responders = draft.responders
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
      else if (TIMES.some(([t]) => t === k)) change[k] = timeValue(draft[k]);
      else change[k] = draft[k];
    }
    setBusy(true);
    setError(null);
    try {
      await api.incidents.update(change as Parameters<Api['incidents']['update']>[0]);
      setDirty(new Set());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const m = useMemo(() => draftMetrics(draft), [draft]);
  const from = m.measuredFrom === 'impact-start' ? 'impact start' : 'detection';
  return (
    <div className="postmortem" data-testid="postmortem">
      <form
        className="postmortem-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <section aria-labelledby="pm-times">
          <h3 id="pm-times" className="section-title">
            Times <span className="muted">UTC</span>
          </h3>
          <div className="pm-times">
            {TIMES.map(([k, label]) => (
              <label key={k} className="pm-time">
                <span className="field-label">{label}</span>
                <span className="pm-time-input">
                  <input
                    aria-label={label}
                    value={draft[k]}
                    placeholder={k === 'detectedAt' ? '' : 'not yet'}
                    spellCheck={false}
                    onChange={(e) => set(k, e.target.value)}
                  />
                  <button
                    type="button"
                    className="btn btn-ghost btn-small"
                    title={`${label}: now`}
                    onClick={() => set(k, timeText(new Date().toISOString()))}
                  >
                    Now
                  </button>
                </span>
              </label>
            ))}
          </div>
          <dl className="pm-metrics" aria-label="Metrics">
            {[
              ['Time to detect', m.timeToDetectSeconds, 'impact start → detected'],
              ['Time to acknowledge', m.timeToAcknowledgeSeconds, 'detected → acknowledged'],
              ['Time to mitigate', m.timeToMitigateSeconds, `${from} → mitigated`],
              ['Time to resolve', m.timeToResolveSeconds, `${from} → resolved`],
            ].map(([label, value, what]) => (
              <div key={label as string}>
                <dt>
                  {label} <span className="muted small">({what})</span>
                </dt>
                <dd>{seconds(value as number | null)}</dd>
              </div>
            ))}
          </dl>
          <label className="field">
            <span className="field-label">Responders</span>
            <input
              aria-label="Responders"
              value={draft.responders}
              placeholder="Ana Ortiz, Bo Chen"
              onChange={(e) => set('responders', e.target.value)}
            />
          </label>
        </section>
        <section aria-labelledby="pm-story">
          <h3 id="pm-story" className="section-title">
            What happened
          </h3>
          {TEXTS.map(([k, label, hint]) => (
            <label key={k} className="field pm-text">
              <span className="field-label">{label}</span>
              <textarea
                aria-label={label}
                rows={k === 'summary' ? 3 : 2}
                value={draft[k]}
                placeholder={hint}
                onChange={(e) => set(k, e.target.value)}
              />
            </label>
          ))}
        </section>
        <section aria-labelledby="pm-lessons">
          <h3 id="pm-lessons" className="section-title">
            Lessons
          </h3>
          <div className="pm-lessons">
            {LESSONS.map(([k, label]) => (
              <label key={k} className="field pm-text">
                <span className="field-label">{label}</span>
                <textarea
                  aria-label={label}
                  rows={3}
                  value={draft[k]}
                  onChange={(e) => set(k, e.target.value)}
                />
              </label>
            ))}
          </div>
        </section>
        <div className="pm-actions">
          {error ? <ErrorNote>{error}</ErrorNote> : null}
          <button type="submit" className="btn btn-primary" disabled={busy || dirty.size === 0}>
            {busy
              ? 'Saving…'
              : dirty.size
                ? `Save ${dirty.size} change${dirty.size === 1 ? '' : 's'}`
                : 'Saved'}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={busy || dirty.size === 0}
            onClick={() => {
              setDraft(saved);
              setDirty(new Set());
              setError(null);
            }}
          >
            Revert
          </button>
        </div>
      </form>
      <ActionItems api={api} incidentId={incident.id} items={detail.actionItems} />
      <LinkedSessions api={api} incidentId={incident.id} linked={detail.sessions} />
    </div>
  );
}
