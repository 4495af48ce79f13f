// `sessions:*`: recorded sessions and their frames, for the console.
import type { DomainSetup, EngineContext } from '../context.js';
import * as sessions from './sessions.js';

/** Wires the sessions domain, and starts indexing text that earlier captures left unindexed. */
export function setupSessions(ctx: EngineContext): DomainSetup<'sessions'> {
  sessions.indexTextInBackground(ctx);
  return {
    handlers: {
      sessions: {
        list: (r) => sessions.listSessions(ctx, r),
        get: (r) => sessions.sessionDetail(ctx, r.id),
        frames: (r) => sessions.frames(ctx, r),
        frame: (r) => sessions.frame(ctx, r),
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
      },
    },
  };
}
