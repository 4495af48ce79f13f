// Messages between the capturing thread and the writer thread.

export type ToWriter =
  | { type: 'open'; sessionId: number; spoolPath: string }
  | { type: 'spooled'; sessionId: number; upTo: number }
  | { type: 'finish'; sessionId: number; upTo: number; endedAt: number }
  /** Forget a session (its capture failed or is abandoned); answered with `dropped`. */
  | { type: 'drop'; sessionId: number }
  | { type: 'index' }
  /**
   * Write nothing (no commit, no indexing) until `resume`: the capturing thread writes to the
   * database itself meanwhile (recovering a session's spool). Answered with `held` once paused.
   */
  | { type: 'hold' }
  | { type: 'resume' }
  | { type: 'close' };

export type FromWriter =
  | { type: 'committed'; sessionId: number; frames: number; offset: number }
  | { type: 'finished'; sessionId: number }
  /** The database is locked by another process (true) or free again (false): a backlog, not a failure. */
  | { type: 'busy'; sessionId: number; busy: boolean }
  /** Committing this session failed; the writer has forgotten it. One sentence. */
  | { type: 'failed'; sessionId: number; message: string }
  | { type: 'dropped'; sessionId: number }
  /** Paused: no transaction is open, and none starts until `resume`. */
  | { type: 'held' }
  | { type: 'indexed'; backlog: number }
  /** Something outside any session went wrong (full-text indexing); nothing was lost. */
  | { type: 'error'; message: string };
