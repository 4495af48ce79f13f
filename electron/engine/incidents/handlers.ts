// `incidents:*`, `runbooks:*` and `walks:*`: incidents, the runbook library, and walks of an
// incident through a runbook, with their pushes (`walk:changed`, `shell:output`).
import { builtinSource } from '../../../shared/runbooks/builtin/index.js';
import { RunbookError, parseRunbook } from '../../../shared/runbooks/parse.js';
import type { DomainSetup, EngineContext } from '../context.js';
import { ForbiddenError, InputError, MissingError } from '../errors.js';
import { NeedsInputError, terminalWords } from './errors.js';
import {
  findRunbookWithTrust,
  importedSource,
  importRunbook,
  listRunbooks,
  trustRunbook,
} from './runbook-library.js';
import { authoriseCommand, importProvenance, NO_AUTHORISER, type Authoriser } from './trust.js';
import { WalkEngine } from './walk.js';
import { WalkPushes } from './walk-pushes.js';

/**
 * Wires the incidents domain; closing stops running commands and actions. `authoriser` is the host's
 * way to ask a person, outside the page, whether a shell command of `walks:run` may run (trust.ts);
 * without one, none runs. Runbooks imported through `runbooks:import` get the provenance of the
 * host's requester (a console's are a page's); `runbooks:trust` is answered only for a terminal's
 * requester. What a walk action lacks is said in the words of the requester (a terminal's names
 * the options of `frameline walk`). Its walks (incidents, walks and their runs) are what the
 * reports domain reads.
 */
export function setupIncidents(
  ctx: EngineContext,
  authoriser: Authoriser = NO_AUTHORISER,
): DomainSetup<'incidents' | 'runbooks' | 'walks'> & { walks: WalkEngine } {
  const pushes = new WalkPushes({
    changed: (p) => ctx.push('walk:changed', p),
    output: (p) => ctx.push('shell:output', p),
  });
  const engine = new WalkEngine({
    db: ctx.db,
    dbPath: ctx.dbPath,
    onChange: pushes.onChange,
    onOutput: pushes.onOutput,
  });
  const db = ctx.db;
  const incidents = engine.incidents;
  const handlers: DomainSetup<'incidents' | 'runbooks' | 'walks'>['handlers'] = {
    incidents: {
      create: (r) => incidents.create({ title: r.title, ...(r.severity ? { severity: r.severity } : {}) }),
      list: () => incidents.list(),
      get: (r) => incidents.detail(r.id),
      update: (r) => {
        const { id, ...change } = r;
        return incidents.update(id, change);
      },
      addAction: (r) => {
        const { incidentId, ...action } = r;
        return incidents.addAction(incidentId, action);
      },
      updateAction: (r) => {
        const { id, ...change } = r;
        return incidents.updateAction(id, change);
      },
      removeAction: (r) => {
        incidents.removeAction(r.id);
        return { ok: true as const };
      },
      link: (r) => incidents.link(r.id, r.session),
      unlink: (r) => incidents.unlink(r.id, r.session),
    },
    runbooks: {
      list: () => listRunbooks(db),
      get: (r) => {
        const found = findRunbookWithTrust(db, r.id);
        if (!found) throw new MissingError(`no runbook "${r.id}"; list them with "frameline runbooks"`);
        const builtin = builtinSource(r.id);
        return {
          ...found.runbook,
          source: builtin ? ('builtin' as const) : ('imported' as const),
          provenance: found.provenance,
          trusted: found.trusted,
          markdown: builtin ?? importedSource(db, r.id) ?? '',
        };
      },
      import: (r) => {
        const { runbook, replaced } = importRunbook(db, r.text, r.fileName, {
          replace: r.replace,
          provenance: importProvenance(authoriser),
        });
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
      trust: (r) => {
        // A page cannot vouch for what a page imported: only the person at a terminal trusts it.
        if (authoriser.requester !== 'terminal')
          throw new ForbiddenError(
            `runbook ${r.id} can be trusted only outside the page: read it (frameline runbooks show ${r.id} --markdown), then run "frameline runbooks trust ${r.id}" in a terminal`,
          );
        return trustRunbook(db, r.id);
      },
    },
    walks: {
      start: (r) =>
        engine.start({
          incidentId: r.incidentId,
          runbookId: r.runbookId,
          ...(r.target !== undefined ? { target: r.target } : {}),
          ...(r.direct !== undefined ? { direct: r.direct } : {}),
          ...(r.profile !== undefined ? { profile: r.profile } : {}),
        }),
      profile: (r) => engine.setProfile(r.id, r.profile),
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
      run: async (r) => {
        // The page's `confirmed` is its own say-so; the host's authoriser decides (trust.ts).
        const authorised = await authoriseCommand(authoriser, engine, r.id, {
          ...(r.command !== undefined ? { command: r.command } : {}),
          ...(r.step !== undefined ? { step: r.step } : {}),
          ...(r.code !== undefined ? { code: r.code } : {}),
        });
        const { runId, done } = engine.runShell(authorised, {
          ...(r.timeoutSeconds !== undefined ? { timeoutMs: r.timeoutSeconds * 1000 } : {}),
          ...(r.outputCapBytes !== undefined ? { outputCapBytes: r.outputCapBytes } : {}),
        });
        done.catch(() => {}); // recorded by the engine; the console follows it through walk:changed
        return { runId };
      },
      action: (r) => {
        const { id, ...request } = r;
        let started;
        try {
          started = engine.runAction(id, request);
        } catch (err) {
          throw err instanceof NeedsInputError && authoriser.requester === 'terminal'
            ? new InputError(terminalWords(err))
            : err;
        }
        started.done.catch(() => {});
        return { runId: started.runId };
      },
      stop: async (r) => {
        await engine.stop(r.runId);
        return { ok: true as const };
      },
      getRun: (r) => (r.wait ? engine.ended(r.runId) : engine.run(r.runId)),
    },
  };
  return {
    handlers,
    walks: engine,
    close: async () => {
      await engine.close();
      pushes.close();
    },
  };
}
