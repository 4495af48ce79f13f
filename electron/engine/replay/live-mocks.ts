// The mocks the console started, with the status it sees: pushed on `mock:status` at most ten
// times a second per mock, never once per frame. A mock started with `clientEvents` (the command
// line's) also pushes `mock:client` once as each client connects and once as it ends.
import type { MockClient, MockRequest, MockStatus } from '../../../shared/contract/replay.js';
import type { EngineContext } from '../context.js';
import { MissingError } from '../errors.js';
import { clientView, MockServer } from './mock.js';

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
    // Clients are served only once start has answered (a later turn of the event loop), so `mock` is set.
    const clientEvent = (event: 'connected' | 'ended', client: MockClient) =>
      this.ctx.push('mock:client', { sessionId: mock.sessionId, event, client: clientView(client) });
    const mock: MockServer = await MockServer.start(this.ctx, request, {
      onChange: () => {
        if (live) live.dirty = true;
      },
      ...(request.clientEvents
        ? {
            onClientOpened: (c: MockClient) => clientEvent('connected', c),
            onClientEnded: (c: MockClient) => clientEvent('ended', c),
          }
        : {}),
    });
    live = { mock, dirty: false, timer: setInterval(() => this.publish(mock.sessionId), STATUS_INTERVAL_MS) };
    this.live.set(mock.sessionId, live);
    const status = mock.status();
    this.ctx.push('mock:status', status);
    return status;
  }

  /** Stops a mock and answers it as it ended (what its clients did). */
  async stop(sessionId: number): Promise<MockStatus> {
    const l = this.live.get(sessionId);
    if (!l) throw new MissingError(`no mock is running for session ${sessionId}; start one first`);
    await l.mock.stop();
    clearInterval(l.timer);
    this.live.delete(sessionId);
    const status = l.mock.status();
    this.ctx.push('mock:status', status);
    return status;
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
