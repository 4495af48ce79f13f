// Requests answered with the same state (a walk, a list) may be answered out of order: an answer
// to a request sent later supersedes one sent earlier, whichever arrives last. Each request takes a
// ticket when it is sent; its answer is shown only if no later ticket's answer is on screen.

export class AnswerOrder {
  private issued = 0;
  private shown = 0;

  /** A ticket for a request about to be sent. */
  issue(): number {
    return ++this.issued;
  }

  /** Whether the answer to `ticket` may be shown; when it may, it is the one on screen from now on. */
  take(ticket: number): boolean {
    if (ticket < this.shown) return false;
    this.shown = ticket;
    return true;
  }

  /** Whether no answer to a later request has been shown (so `ticket`'s error may be). */
  current(ticket: number): boolean {
    return ticket >= this.shown;
  }

  /** Answers to every request sent so far are dropped (what they answered is no longer on screen). */
  expire(): void {
    this.shown = ++this.issued;
  }
}
