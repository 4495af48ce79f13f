// The mocks the console started, with the status it sees: pushed on `mock:status` at most ten
// times a second per mock, never once per frame.
import type { MockRequest, MockStatus } from '../../../shared/contract/replay.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { MockServer } from './mock.js';

const STATUS_INTERVAL_MS = 100;

interface Live {
  mock: MockServer;
  dirty: boolean;
  timer: NodeJS.Timeout;
}

export class LiveMocks {
  private readonly live = new Map<number, Live>();

  constructor(private readonly ctx: EngineContext) {}

  async start(request: MockRequest): Promise<MockStatus> {
    // Assigned once the mock listens; changes before that are in its first status anyway.
    // eslint-disable-next-line prefer-const
    let live: Live | undefined;
    const mock = await MockServer.start(this.ctx, request, {
      onChange: () => {
        if (live) live.dirty = true;
      },
    });
    live = { mock, dirty: false, timer: setInterval(() => this.publish(mock.sessionId), STATUS_INTERVAL_MS) };
    this.live.set(mock.sessionId, live);
    const status = mock.status();
    this.ctx.push('mock:status', status);
    return status;
  }

  async stop(sessionId: number): Promise<void> {
    const l = this.live.get(sessionId);
    if (!l) throw new MissingError(`no mock is running for session ${sessionId}; start one first`);
    await l.mock.stop();
    clearInterval(l.timer);
    this.live.delete(sessionId);
    this.ctx.push('mock:status', l.mock.status());
  }

  list(): MockStatus[] {
    return [...this.live.values()].map((l) => l.mock.status());
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live.keys()].map((id) => this.stop(id)));
  }

  private publish(sessionId: number): void {
    const l = this.live.get(sessionId);
    if (!l || !l.dirty) return;
    l.dirty = false;
    this.ctx.push('mock:status', l.mock.status());
  }
}
