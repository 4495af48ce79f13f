// The engine's side of the incidents, runbooks and walks channels: each handler takes a validated
// request and answers the contract's response. The service spreads these into its handlers.
import type { Contract, ParsedRequestOf, ResponseOf } from '../../../shared/contract.js';
import { builtinSource } from '../../../shared/runbooks/builtin/index.js';
import { RunbookError, parseRunbook } from '../../../shared/runbooks/parse.js';
import type { Db } from '../store/database.js';
import { findRunbook, importedSource, importRunbook, listRunbooks } from './runbook-library.js';
import { MissingError } from './errors.js';
import type { WalkEngine } from './walk.js';

type Handlers<D extends 'incidents' | 'runbooks' | 'walks'> = {
  [V in keyof Contract[D]]: (request: ParsedRequestOf<D, V>) => ResponseOf<D, V> | Promise<ResponseOf<D, V>>;
};

/** Handlers of `incidents:*`, `runbooks:*` and `walks:*`. */
export function walkHandlers(
  engine: WalkEngine,
  db: Db,
): { incidents: Handlers<'incidents'>; runbooks: Handlers<'runbooks'>; walks: Handlers<'walks'> } {
  return {
    incidents: {
      create: (r) =>
        engine.createIncident({ title: r.title, ...(r.severity ? { severity: r.severity } : {}) }),
      list: () => engine.listIncidents(),
      get: (r) => engine.incidentDetail(r.id),
      update: (r) => {
        const { id, ...change } = r;
        return engine.updateIncident(id, change);
      },
    },
    runbooks: {
      list: () => listRunbooks(db),
      get: (r) => {
        const runbook = findRunbook(db, r.id);
        if (!runbook) throw new MissingError(`no runbook "${r.id}"`);
        const builtin = builtinSource(r.id);
        return {
          ...runbook,
          source: builtin ? ('builtin' as const) : ('imported' as const),
          markdown: builtin ?? importedSource(db, r.id) ?? '',
        };
      },
      import: (r) => {
        const { runbook, replaced } = importRunbook(db, r.text, r.fileName, { replace: r.replace });
        const summary = listRunbooks(db).find((s) => s.id === runbook.id)!;
        return { runbook: summary, replaced };
      },
      validate: (r) => {
        try {
          return { valid: true, problem: null, runbook: parseRunbook(r.text, { fileName: r.fileName }) };
        } catch (err) {
          if (err instanceof RunbookError)
            return { valid: false, problem: { line: err.line, message: err.message }, runbook: null };
          throw err;
        }
      },
    },
    walks: {
      start: (r) =>
        engine.start({
          incidentId: r.incidentId,
          runbookId: r.runbookId,
          ...(r.target !== undefined ? { target: r.target } : {}),
          ...(r.direct !== undefined ? { direct: r.direct } : {}),
        }),
      list: (r) => engine.listWalks(r.incidentId),
      get: (r) => engine.view(r.id),
      choose: (r) => engine.choose(r.id, r.label),
      back: (r) => engine.back(r.id),
      note: (r) => engine.note(r.id, r.text),
      check: (r) =>
        engine.check(r.walk, {
          step: r.step,
          checked: r.checked,
          ...(r.node !== undefined ? { node: r.node } : {}),
        }),
      finding: (r) => engine.addFinding(r.id, { id: r.finding, evidence: r.evidence, source: 'user' }),
      run: (r) => {
        const { runId, done } = engine.runShell(r.id, {
          command: r.command,
          confirmed: r.confirmed,
          ...(r.step !== undefined ? { step: r.step } : {}),
          ...(r.timeoutMs !== undefined ? { timeoutMs: r.timeoutMs } : {}),
          ...(r.outputCapBytes !== undefined ? { outputCapBytes: r.outputCapBytes } : {}),
        });
        done.catch(() => {}); // recorded by the engine; the console follows it through walk:changed
        return { runId };
      },
      action: (r) => {
        const { id, ...request } = r;
        const { runId, done } = engine.runAction(id, request);
        done.catch(() => {});
        return { runId };
      },
      stop: async (r) => {
        await engine.stop(r.runId);
        return { ok: true as const };
      },
    },
  };
}
