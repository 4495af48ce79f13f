// `sessions:*`: recorded sessions and their frames, for the console.
import type { DomainSetup, EngineContext } from '../context.js';
import { isSearched } from './searched-frames.js';
import * as sessions from './sessions.js';

/** Wires the sessions domain, and starts indexing text that earlier captures left unindexed. */
/**
 * Wires the sessions domain. A host that lives on between requests (`background`) lets the
 * full-text index catch up behind it; a command of the command line leaves that to the next one.
 */
export function setupSessions(ctx: EngineContext, background = true): DomainSetup<'sessions'> {
  if (background) sessions.indexTextInBackground(ctx);
  return {
    handlers: {
      sessions: {
        list: (r) => sessions.listSessions(ctx, r),
        get: (r) => sessions.sessionDetail(ctx, r.id),
        frames: (r) => (isSearched(r.filter) ? sessions.searchedFrames(ctx, r) : sessions.frames(ctx, r)),
        frame: (r) => sessions.frame(ctx, r),
        records: (r) => sessions.frameRecords(ctx, r),
        rate: (r) => sessions.rate(ctx, r),
        rename: (r) => {
          sessions.rename(ctx, r);
          return { ok: true as const };
        },
        tag: (r) => {
          sessions.tag(ctx, r);
          return { ok: true as const };
        },
        delete: (r) => {
          sessions.remove(ctx, r.id);
          return { ok: true as const };
        },
        missingSegments: (r) => {
          sessions.requireSession(ctx, r.id);
          return sessions.missingSegmentFiles(ctx, r.id);
        },
        recover: () => sessions.recoverSessions(ctx),
        compact: () => sessions.compact(ctx),
      },
    },
  };
}
