// The console's door to a protocol-speaking capture: capture:start with the protocol, its init
// payload and its subscriptions, against a real graphql-ws server; what the session keeps of them.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PayloadOf } from '../../../shared/contract.js';
import { FramelineService } from '../../../electron/engine/service.js';
import { workspace, type Workspace } from '../../support/cli.js';
import { callService, failedCall } from '../../support/service.js';
import { protocolToolMissing } from '../../support/test-tools.js';
import { until } from '../../support/wait.js';
import { graphqlWsServer, type GraphqlWsScenario } from '../../servers/graphql-ws.js';

const missing = protocolToolMissing('graphql-ws') ?? protocolToolMissing('graphql');

describe.skipIf(missing)(
  `capture:start speaking graphql-ws${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let ws: Workspace;
    let service: FramelineService;
    let server: GraphqlWsScenario;
    let statuses: Array<PayloadOf<'capture:status'>>;

    beforeEach(async () => {
      ws = workspace();
      service = new FramelineService({ dbPath: ws.db, shell: 'browser' });
      statuses = [];
      service.onPush((topic, payload) => {
        if (topic === 'capture:status') statuses.push(payload as PayloadOf<'capture:status'>);
      });
      server = await graphqlWsServer({ tickMs: 50 });
    });

    afterEach(async () => {
      await service.close();
      await server.close();
      ws.cleanup();
    });

    const call = <T = unknown>(channel: string, payload: unknown) =>
      callService<T>(service, channel, payload);
    const last = () => statuses[statuses.length - 1]!;

    it('opens the protocol, subscribes, and keeps only that an init payload was given', async () => {
      const { sessionId } = await call<{ sessionId: number }>('capture:start', {
        url: server.url,
        protocol: 'graphql-ws',
        initPayload: '{"token":"let-me-in"}',
        subscribe: ['subscription { tick }'],
      });
      // connection_ack, then at least three ticks.
      await until('the ticks', () => statuses.some((s) => s.framesIn >= 4));
      await call('capture:stop', { sessionId });
      await until('the end', () => last().state === 'ended');
      expect(server.accepted).toEqual([{ token: 'let-me-in' }]);
      expect(server.received.slice(0, 2)).toEqual([
        { type: 'connection_init' },
        { type: 'subscribe', id: '1' },
      ]);
      const { events, connections } = await call<{
        events: Array<{ kind: string; detail: Record<string, unknown> }>;
        connections: Array<{ subprotocol: string | null }>;
      }>('sessions:get', { id: sessionId });
      expect(connections[0]!.subprotocol).toBe('graphql-transport-ws');
      expect(events.find((e) => e.kind === 'protocol-opened')?.detail).toMatchObject({
        protocol: 'graphql-ws',
      });
      const raw = new Database(ws.db, { readonly: true });
      try {
        const row = raw.prepare('SELECT settings, protocol FROM session WHERE id = ?').get(sessionId) as {
          settings: string;
          protocol: string | null;
        };
        expect(row.settings).not.toContain('let-me-in');
        expect(row.protocol).toBe('graphql-ws');
        expect(JSON.parse(row.settings)).toMatchObject({
          initPayload: true,
          subscribe: ['subscription { tick }'],
        });
      } finally {
        raw.close();
      }
    });

    it('says a refused opening in the status message', async () => {
      const { sessionId } = await call<{ sessionId: number }>('capture:start', {
        url: server.url,
        protocol: 'graphql-ws',
        initPayload: '{"token":"nope"}',
      });
      await until('the end', () => statuses.some((s) => s.sessionId === sessionId && s.state === 'ended'));
      expect(statuses.map((s) => s.message).join(' ')).toContain(
        'graphql-ws: the server closed 4403 Forbidden before connection_ack',
      );
    });

    it('refuses a malformed init payload before anything is created', async () => {
      const err = await failedCall(service, 'capture:start', {
        url: server.url,
        protocol: 'graphql-ws',
        initPayload: 'token=1',
      });
      expect(err.message).toMatch(/^--init-payload is not JSON/);
      expect(await call('sessions:list', {})).toEqual([]);
    });
  },
);
