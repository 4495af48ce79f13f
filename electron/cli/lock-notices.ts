// What a capture says about the database's write lock. Two captures (or a capture and the console)
// on one file take turns at it all the time, and each turn the writer reports as busy and free
// again; that is no news. A wait is: one line once it has lasted NOTICE_AFTER_MS, and one when it
// is over, saying how long it lasted. A turn of the lock shorter than SETTLE_MS between two waits
// does not end the wait.

/** How long the lock must stay taken before a line says so. */
export const NOTICE_AFTER_MS = 2000;
/** How long the lock must stay free before the wait counts as over. */
export const SETTLE_MS = 1000;

export class LockNotices {
  /** When the current wait began (the first busy report), or null when none is under way. */
  private since: number | null = null;
  private told = false;
  private freedAt = 0;
  private noticeTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly say: (line: string) => void) {}

  /** The writer's report: the database is locked (true) or free again (false). */
  busy(busy: boolean): void {
    if (busy) {
      if (this.settleTimer) {
        // Taken again before it was free for long: the same wait goes on.
        clearTimeout(this.settleTimer);
        this.settleTimer = null;
        return;
      }
      if (this.since !== null) return;
      this.since = Date.now();
      this.noticeTimer = setTimeout(() => {
        this.noticeTimer = null;
        this.told = true;
        this.say(
          'the database is locked by another process: frames wait in the spool and are committed when it is free',
        );
      }, NOTICE_AFTER_MS);
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
    this.settleTimer = setTimeout(() => this.over(), SETTLE_MS);
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

  private over(): void {
    this.settleTimer = null;
    const seconds = ((this.freedAt - (this.since ?? this.freedAt)) / 1000).toFixed(1);
    this.since = null;
    this.told = false;
    this.say(`the database is free again after ${seconds} s: committing the frames that waited`);
  }
}
