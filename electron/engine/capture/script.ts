// Runs a capture's conversation script on one connection: its steps in order, once the protocol
// (if one is spoken) is open. Each step goes on the session's record as an event, so that `show`
// and reports see the conversation next to its frames. The syntax is shared/capture-script.ts.
import { expectMatches, type ScriptStep } from '../../../shared/capture-script.js';

/** What a script may do on its connection, and where its events go. */
export interface ScriptLink {
  send(text: string): void;
  ping(): void;
  close(code: number, reason: string): void;
  event(kind: string, detail: Record<string, unknown>): void;
}

/** How a script run ended: every step ran, a close step closed, an expect failed, or the connection went first. */
export type ScriptEnd =
  | { ended: 'finished' }
  | { ended: 'closed' }
  | { ended: 'failed'; message: string }
  | { ended: 'interrupted' };

/**
 * Messages kept for the next expect at most: an expect looks at what arrived since the previous
 * one matched (a reply that came during a sleep counts); past this many, the oldest are dropped.
 */
const INBOX_LIMIT = 10_000;

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * One run of a script on one connection: made when the connection opens (messages from then on
 * are kept for its expects, the protocol's own opening included), started once the protocol is ready.
 */
export class ScriptRun {
  readonly ended: Promise<ScriptEnd>;
  private begin!: () => void;
  private inbox: string[] = [];
  private waiter: ((text: string) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;
  private stopped = false;
  private current: ScriptStep | null = null;

  constructor(
    private readonly steps: readonly ScriptStep[],
    private readonly link: ScriptLink,
  ) {
    this.ended = new Promise<void>((resolve) => (this.begin = resolve)).then(() => this.run());
  }

  /** Runs the steps (once the protocol, if one is spoken, is ready). */
  start(): void {
    this.begin();
  }

  /** A message arrived on the connection (binary ones are read as UTF-8 text). */
  received(data: Buffer): void {
    if (this.stopped) return;
    const text = data.toString('utf8');
    if (this.waiter) {
      this.waiter(text);
      return;
    }
    this.inbox.push(text);
    if (this.inbox.length > INBOX_LIMIT) this.inbox.shift();
  }

  /** The connection ended: the step under way stops, and the run says it was interrupted. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }

  private async run(): Promise<ScriptEnd> {
    for (const step of this.steps) {
      if (this.stopped) return this.interrupted();
      this.current = step;
      const line = step.line;
      switch (step.kind) {
        case 'send':
          this.link.event('script-step', { line, step: 'send', chars: step.text.length });
          this.link.send(step.text);
          break;
        case 'ping':
          this.link.event('script-step', { line, step: 'ping' });
          this.link.ping();
          break;
        case 'sleep':
          this.link.event('script-step', { line, step: 'sleep', ms: step.ms });
          await this.pause(step.ms);
          break;
        case 'close':
          this.link.event('script-step', { line, step: 'close', code: step.code, reason: step.reason });
          this.link.close(step.code, step.reason);
          this.stopped = true;
          return { ended: 'closed' };
        case 'expect': {
          const pattern = step.written;
          this.link.event('script-step', { line, step: 'expect', pattern, timeoutMs: step.timeoutMs });
          const started = performance.now();
          const seen = await this.expect(step);
          if (this.stopped) return this.interrupted();
          if (seen.matched) {
            this.link.event('script-expect-matched', {
              line,
              afterMs: Math.round(performance.now() - started),
            });
            break;
          }
          const message = `script line ${line} (${step.source}): no message matched within ${seconds(step.timeoutMs)} (${seen.count} received meanwhile)`;
          this.link.event('script-expect-timeout', {
            line,
            pattern,
            timeoutMs: step.timeoutMs,
            received: seen.count,
          });
          this.stopped = true;
          return { ended: 'failed', message };
        }
      }
    }
    this.link.event('script-finished', { steps: this.steps.length });
    this.stopped = true;
    return { ended: 'finished' };
  }

  private interrupted(): ScriptEnd {
    const line = this.current?.line ?? null;
    this.link.event('script-interrupted', { line, message: 'the connection ended before the script did' });
    return { ended: 'interrupted' };
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    });
    this.wake = null;
    this.timer = null;
  }

  /** The first message since the previous expect that matches, or the timeout; the messages looked at are used up. */
  private expect(
    step: Extract<ScriptStep, { kind: 'expect' }>,
  ): Promise<{ matched: boolean; count: number }> {
    let count = 0;
    while (this.inbox.length > 0) {
      count++;
      if (expectMatches(step.pattern, this.inbox.shift()!)) return Promise.resolve({ matched: true, count });
    }
    return new Promise<{ matched: boolean; count: number }>((resolve) => {
      const done = (matched: boolean) => {
        this.waiter = null;
        resolve({ matched, count });
      };
      this.waiter = (text) => {
        count++;
        if (expectMatches(step.pattern, text)) done(true);
      };
      this.wake = () => done(false);
      this.timer = setTimeout(() => done(false), step.timeoutMs);
    }).finally(() => {
      this.wake = null;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    });
  }
}
