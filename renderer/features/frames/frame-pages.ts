// The frame list's data: rows fetched by page through `sessions:frames`, a small LRU of pages, one
// request per page at a time. A million-row session only ever holds MAX_PAGES × PAGE_SIZE rows.
// Pages are about a screenful: the engine reads and the console parses only rows that are, or are
// about to be, on screen. A live session's tail is read before the list grows to it, so that a
// flood shows as one change per answer, never as a screen of empty rows filled in a moment later.
import type { Api, RequestOf, ResponseOf } from '../../../shared/contract';

export type FrameRow = ResponseOf<'sessions', 'frames'>['frames'][number];
export type ApiFrameFilter = NonNullable<RequestOf<'sessions', 'frames'>['filter']>;

export const PAGE_SIZE = 64;
const MAX_PAGES = 100;
/** Rows at the tail of a live session read before the list grows to them: a tall screenful. */
export const TAIL_ROWS = 96;

type PageAnswer = ResponseOf<'sessions', 'frames'>;

interface Page {
  rows: FrameRow[];
  /** The engine's total when this page was read: rows are complete up to it. */
  totalAtFetch: number;
}

/** Pages of one session under one filter. Make a new one when the filter changes. */
export class FramePages {
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly pages = new Map<number, Page>();
  private readonly inflight = new Set<number>();
  private readonly listeners = new Set<() => void>();
  /** The number of matching frames as the engine last reported it; null before the first answer. */
  total: number | null = null;
  /** Frames the full-text index had not reached at the last answer (a search misses them for now). */
  unindexed = 0;
  /** Why the last request failed; requests stop until retry(). */
  error: string | null = null;
  /** The size a live session is known to have grown to, and whether its tail is being read. */
  private target = 0;
  private following = false;

  constructor(
    private readonly api: Api,
    private readonly sessionId: number,
    private readonly filter: ApiFrameFilter,
  ) {}

  /** Calls `listener` whenever rows, the total or the error change; returns the unsubscribe. */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The row at a position, if its page is loaded. */
  row(index: number): FrameRow | undefined {
    const p = Math.floor(index / PAGE_SIZE);
    const page = this.pages.get(p);
    if (!page) return undefined;
    this.pages.delete(p);
    this.pages.set(p, page);
    return page.rows[index - p * PAGE_SIZE];
  }

  /** Loads the pages under rows first..last of a list that is `total` rows long. */
  ensure(first: number, last: number, total: number): void {
    if (this.error || total <= 0) return;
    const lastRow = Math.min(last, total - 1);
    for (let p = Math.floor(Math.max(0, first) / PAGE_SIZE); p <= Math.floor(lastRow / PAGE_SIZE); p++) {
      const page = this.pages.get(p);
      const wanted = Math.min(PAGE_SIZE, total - p * PAGE_SIZE);
      // A partial tail page is read again only once the engine has more than it had then.
      if (!page || (page.rows.length < wanted && total > page.totalAtFetch)) this.fetch(p);
    }
  }

  /**
   * A live, unfiltered session has `committed` frames: reads its last rows, then counts them in,
   * in one change. Growth reported while a tail is being read is read next, in one go.
   */
  follow(committed: number): void {
    this.target = Math.max(this.target, committed);
    if (this.following || this.error || this.target <= (this.total ?? 0)) return;
    this.following = true;
    const asked = this.target;
    const first = Math.floor(Math.max(0, asked - TAIL_ROWS) / PAGE_SIZE);
    const last = Math.floor((asked - 1) / PAGE_SIZE);
    const wanted: number[] = [];
    for (let p = first; p <= last; p++) wanted.push(p);
    Promise.all(wanted.map((p) => this.request(p))).then(
      (answers) => {
        this.following = false;
        answers.forEach((res, i) => this.store(wanted[i]!, res));
        this.changed();
        if (this.target > asked) this.follow(this.target);
      },
      (err: Error) => {
        this.following = false;
        this.error = err.message;
        this.changed();
      },
    );
  }

  /** Asks for the count again (a live, filtered view grows without telling us). */
  refresh(): void {
    const tail = this.total ? Math.floor((this.total - 1) / PAGE_SIZE) : 0;
    this.fetch(tail);
  }

  /** Reads every cached page again: the engine's answer changed under the same filter. */
  reload(): void {
    const cached = [...this.pages.keys()];
    for (const p of cached.length ? cached : [0]) this.fetch(p);
  }

  retry(): void {
    this.error = null;
    this.changed();
    if (this.target > (this.total ?? 0)) this.follow(this.target);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private request(p: number): Promise<PageAnswer> {
    return this.api.sessions.frames({
      id: this.sessionId,
      filter: this.filter,
      offset: p * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
  }

  private store(p: number, res: PageAnswer): void {
    this.pages.delete(p);
    this.pages.set(p, { rows: res.frames, totalAtFetch: res.total });
    while (this.pages.size > MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
    this.total = Math.max(this.total ?? 0, res.total);
    this.unindexed = res.unindexed;
  }

  private fetch(p: number): void {
    if (this.inflight.has(p)) return;
    this.inflight.add(p);
    this.request(p).then(
      (res) => {
        this.inflight.delete(p);
        this.store(p, res);
        this.changed();
      },
      (err: Error) => {
        this.inflight.delete(p);
        this.error = err.message;
        this.changed();
      },
    );
  }
}
