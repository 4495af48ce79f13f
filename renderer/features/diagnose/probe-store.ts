// The console's probe, outside React: the form draft, the run in progress with its checklist, and
// its report. A probe runs for as long as its idle hold (75 s by default), so the run lives here —
// switching tabs, connecting, or visiting Sessions meanwhile loses nothing, and the checklist is
// whole when the panel is shown again.
import { useCallback, useSyncExternalStore } from 'react';
import type { Api, ResponseOf } from '../../../shared/contract';
import { errorMessage } from '../../components/error-note';
import type { HeaderRow } from '../attach/attach-draft';
import {
  abandonedRows,
  applyProgress,
  finalRows,
  plannedRows,
  type CheckRow,
  type Progress,
} from './checklist-model';
import {
  consoleWords,
  DEFAULT_PROBE_DRAFT,
  toProbeRequest,
  type ProbeDraft,
  type ProbeErrors,
  type ProbeRequest,
} from './probe-draft';

export type ProbeReport = ResponseOf<'diagnose', 'probe'>;

export interface ProbeRun {
  runId: string;
  request: ProbeRequest & { idleLimitSeconds: number; echo: number };
  /** Console clock, ms since the epoch. */
  startedAt: number;
  endedAt: number | null;
  rows: readonly CheckRow[];
  report: ProbeReport | null;
  /** Why the probe did not answer, in words an engineer can act on. */
  error: string | null;
  /** When Stop was pressed (console clock), or null: the report then covers what was seen so far. */
  stoppedAt: number | null;
}

export type SideTab = 'connection' | 'diagnose';

function newRunId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Why a failed probe request failed, said for the console. */
export function probeFailure(err: unknown): string {
  const code = (err as { code?: string } | null)?.code;
  const message = consoleWords(errorMessage(err));
  if (code === 'bad-request') return `The probe did not start: ${message}`;
  if (code === 'forbidden') return `The engine refused the probe: ${message}`;
  return `The probe failed: ${message}`;
}

export class ProbeStore {
  private readonly listeners = new Set<() => void>();
  draft: ProbeDraft = DEFAULT_PROBE_DRAFT;
  optionsOpen = false;
  sideTab: SideTab = 'connection';
  run: ProbeRun | null = null;
  /** True once the probe's headers are edited here: the attach screen's no longer replace them. */
  private headersEdited = false;

  constructor(readonly api: Api) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get running(): boolean {
    return this.run !== null && this.run.endedAt === null;
  }

  setDraft(patch: Partial<ProbeDraft>): void {
    if (patch.headers) this.headersEdited = true;
    this.draft = { ...this.draft, ...patch };
    this.emit();
  }

  /** Pre-fills the probe's headers with the attach screen's, until they are edited here. */
  followAttachHeaders(headers: readonly HeaderRow[]): void {
    if (this.headersEdited) return;
    const rows = headers.filter((h) => h.name.trim()).map((h) => ({ ...h }));
    const same =
      rows.length === this.draft.headers.length &&
      rows.every(
        (h, i) => h.name === this.draft.headers[i]!.name && h.value === this.draft.headers[i]!.value,
      );
    if (same) return;
    this.draft = { ...this.draft, headers: rows };
    this.emit();
  }

  /** Takes the attach form's protocol and init payload: the probe speaks what a capture would. */
  followAttachProtocol(protocol: ProbeDraft['protocol'], initPayload: string): void {
    if (protocol === this.draft.protocol && initPayload === this.draft.initPayload) return;
    this.draft = { ...this.draft, protocol, initPayload };
    this.emit();
  }

  setOptionsOpen(open: boolean): void {
    this.optionsOpen = open;
    this.emit();
  }

  setSideTab(tab: SideTab): void {
    this.sideTab = tab;
    this.emit();
  }

  /** Starts a probe of `url` with the draft's options; answers the form's errors instead when it cannot. */
  start(url: string): ProbeErrors | null {
    if (this.running) return null;
    const runId = newRunId();
    const { request, errors } = toProbeRequest(url, this.draft, runId);
    if (!request) return errors;
    const parsed = {
      ...request,
      idleLimitSeconds: request.idleLimitSeconds ?? 75,
      echo: request.echo ?? 0,
    };
    const run: ProbeRun = {
      runId,
      request: parsed,
      startedAt: Date.now(),
      endedAt: null,
      rows: plannedRows(parsed),
      report: null,
      error: null,
      stoppedAt: null,
    };
    this.run = run;
    // The options are summed up in one line while the checklist takes the room.
    this.optionsOpen = false;
    this.emit();

    // Listen before asking, so that no push is missed; the run id tells this probe's apart.
    const off = this.api.on('diagnose:progress', (p: Progress) => {
      if (p.runId !== runId || this.run?.runId !== runId || this.run.endedAt !== null) return;
      this.update({ rows: applyProgress(this.run.rows, p, Date.now()) });
    });
    this.api.diagnose.probe(request).then(
      (report) => {
        off();
        if (this.run?.runId !== runId) return;
        this.update({ report, rows: finalRows(this.run.rows, report.checks), endedAt: Date.now() });
      },
      (err: unknown) => {
        off();
        if (this.run?.runId !== runId) return;
        this.update({ error: probeFailure(err), rows: abandonedRows(this.run.rows), endedAt: Date.now() });
      },
    );
    return null;
  }

  /**
   * Stops the running probe as Ctrl+C stops `frameline probe`: the idle hold is cut short and the
   * report covers what was seen until then.
   */
  stop(): void {
    const run = this.run;
    if (!run || run.endedAt !== null || run.stoppedAt !== null) return;
    this.update({ stoppedAt: Date.now() });
    this.api.diagnose.stop({ runId: run.runId }).catch((err: unknown) => {
      if (this.run?.runId === run.runId) this.update({ stoppedAt: null, error: probeFailure(err) });
    });
  }

  /** Clears a finished run from the panel (the recorded session stays). */
  dismiss(): void {
    if (this.running) return;
    this.run = null;
    this.emit();
  }

  private update(patch: Partial<ProbeRun>): void {
    if (!this.run) return;
    this.run = { ...this.run, ...patch };
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

const stores = new WeakMap<Api, ProbeStore>();

/** The probe store of this window's Api. */
export function probeStore(api: Api): ProbeStore {
  let s = stores.get(api);
  if (!s) stores.set(api, (s = new ProbeStore(api)));
  return s;
}

/** A slice of the probe store; re-renders when the slice changes. */
export function useProbe<T>(api: Api, select: (s: ProbeStore) => T): T {
  const store = probeStore(api);
  const get = useCallback(() => select(store), [store, select]);
  return useSyncExternalStore(store.subscribe, get, get);
}
