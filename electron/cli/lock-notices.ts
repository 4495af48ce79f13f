// What a capture says about the database's write lock. Two captures (or a capture and a mock, or the
// console) on one file take turns at it all the time, and each turn the writer reports as busy and
// free again; that is no news. A wait is: one line once it has lasted NOTICE_AFTER_MS, and one when
// it is over, saying how long it lasted. The lock must stay free SETTLE_MS for the wait to be over,
// and no line comes sooner than MIN_INTERVAL_MS after the one before: a lock taken again meanwhile
// is the same wait going on (a capture beside a running mock once printed twelve lines in 6 s).

/** How long the lock must stay taken before a line says so. */
export const NOTICE_AFTER_MS = 2000;
/** How long the lock must stay free before the wait counts as over. */
export const SETTLE_MS = 3000;
/** The least time between two lines about the lock. */
export const MIN_INTERVAL_MS = 5000;

export class LockNotices {
  /** When the current wait began (the first busy report), or null when none is under way. */
  private since: number | null = null;
  private told = false;
  private freedAt = 0;
  /** When the last line was said (0: none yet). */
  private saidAt = 0;
  private noticeTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly say: (line: string) => void) {}

  /** The writer's report: the database is locked (true) or free again (false). */
  busy(busy: boolean): void {
    if (busy) {
      if (this.settleTimer) {
        // Taken again before the end of the wait was said: the same wait goes on.
        clearTimeout(this.settleTimer);
        this.settleTimer = null;
        return;
      }
      if (this.since !== null) return;
      this.since = Date.now();
      this.noticeTimer = setTimeout(() => {
        this.noticeTimer = null;
        this.told = true;
        this.line(
          'the database is locked by another process: frames wait in the spool and are committed when it is free',
        );
      }, this.delay(NOTICE_AFTER_MS));
      this.noticeTimer.unref();
      return;
    }
    if (this.since === null || this.settleTimer) return;
    if (!this.told) {
      // A short turn of the lock: nothing was said, nothing to take back.
      if (this.noticeTimer) clearTimeout(this.noticeTimer);
      this.noticeTimer = null;
      this.since = null;
      return;
    }
    this.freedAt = Date.now();
    this.settleTimer = setTimeout(() => this.over(), this.delay(SETTLE_MS));
    this.settleTimer.unref();
  }

  /** The capture is done: a wait still settling is over now (everything was committed). */
  flush(): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = null;
    if (this.settleTimer) {
      clearTimeout(this.settleTimer);
      this.over();
    } else if (!this.told) this.since = null;
  }

  /** `ms` from now, or later when the last line was said less than MIN_INTERVAL_MS before that. */
  private delay(ms: number): number {
    const now = Date.now();
    return Math.max(ms, this.saidAt === 0 ? 0 : this.saidAt + MIN_INTERVAL_MS - now);
  }

  private line(text: string): void {
    this.saidAt = Date.now();
    this.say(text);
  }

  private over(): void {
    this.settleTimer = null;
    const seconds = ((this.freedAt - (this.since ?? this.freedAt)) / 1000).toFixed(1);
    this.since = null;
    this.told = false;
    this.line(`the database is free again after ${seconds} s: committing the frames that waited`);
  }
}
