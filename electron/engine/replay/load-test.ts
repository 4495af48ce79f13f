// `frameline export --format artillery|k6`: a recorded connection written as a load test for an
// engine that runs distributed. The script is built in shared/replay/load-test.ts (and
// load-test-socket-io.ts for Socket.IO); here the connection and its protocol are read from the store.
import type { LoadTest, LoadTestRequest } from '../../../shared/contract/replay.js';
import {
  socketIoArtilleryScript,
  socketIoK6Script,
  socketIoPlan,
} from '../../../shared/replay/load-test-socket-io.js';
import {
  artilleryScript,
  k6Script,
  loadTestPlan,
  type LoadTestInput,
} from '../../../shared/replay/load-test.js';
import type { EngineContext } from '../context.js';
import { readConnection } from './source.js';

/** How each load-test format is written, for plain WebSockets and for Socket.IO, and the file name it suggests. */
const WRITERS = {
  artillery: { write: artilleryScript, socketIo: socketIoArtilleryScript, suffix: 'artillery.yml' },
  k6: { write: k6Script, socketIo: socketIoK6Script, suffix: 'k6.js' },
} as const;

/** A recorded connection as a load-test script; secrets become environment variables. */
export function exportLoadTest(ctx: EngineContext, request: LoadTestRequest): LoadTest {
  const source = readConnection(ctx, request.sessionId, request.connection, 'sent');
  const input: LoadTestInput = {
    session: { id: source.session.id, name: source.session.name },
    connection: {
      ordinal: source.connection.ordinal,
      url: source.connection.url,
      requestHeaders: source.connection.requestHeaders,
      openedAt: source.openedAt,
      closedAt: source.clientClose?.ts ?? null,
      closedByClient: source.clientClose !== null,
    },
    conversation: source.conversation,
    protocol: source.protocol?.protocol ?? null,
    idField: request.idField,
    users: request.users,
    durationSeconds: request.durationSeconds ?? 1,
  };
  const writer = WRITERS[request.format];
  // Socket.IO is spoken afresh (its own handshake, sid and heartbeats), never resent packet by packet.
  const [text, plan] =
    input.protocol === 'socket.io'
      ? ((p) => [writer.socketIo(p), p] as const)(socketIoPlan(input))
      : ((p) => [writer.write(p), p] as const)(loadTestPlan(input));
  return {
    format: request.format,
    text,
    fileName: `session-${source.session.id}.${writer.suffix}`,
    secrets: plan.secrets,
    notes: plan.notes,
  };
}
