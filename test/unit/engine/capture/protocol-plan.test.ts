// What a capture plans to speak before it connects: the protocol chosen or said by the URL, the
// URL and subprotocols its clients use, and every mistake in the protocol's fields as a sentence.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../electron/engine/errors.js';
import { clientForConnection, planProtocol } from '../../../../electron/engine/capture/protocols/index.js';
import { subscribePayload } from '../../../../electron/engine/capture/protocols/graphql-ws.js';
import { thrown } from '../../../support/thrown.js';

const plan = (url: string, over: Partial<Parameters<typeof planProtocol>[0]> = {}) =>
  planProtocol({ url: new URL(url), subscribe: [], subprotocols: [], ...over });

describe('planProtocol', () => {
  it('takes Socket.IO from the URL and adds Engine.IO 4 over websocket to its query', () => {
    const p = plan('ws://h/socket.io/');
    expect(p.chosen).toBe('socket.io');
    expect(p.url.href).toBe('ws://h/socket.io/?EIO=4&transport=websocket');
    expect(plan('ws://h/', { protocol: 'socket.io' }).url.href).toBe(
      'ws://h/socket.io/?EIO=4&transport=websocket',
    );
    expect(plan('ws://h/socket.io/?EIO=4&transport=websocket').url.href).toBe(
      'ws://h/socket.io/?EIO=4&transport=websocket',
    );
  });

  it('offers graphql-transport-ws for graphql-ws unless subprotocols were given', () => {
    expect(plan('ws://h/graphql', { protocol: 'graphql-ws' }).subprotocols).toEqual(['graphql-transport-ws']);
    expect(plan('ws://h/graphql', { protocol: 'graphql-ws', subprotocols: ['x'] }).subprotocols).toEqual([
      'x',
    ]);
    expect(plan('ws://h/graphql').subprotocols).toEqual([]);
    // A URL that suggests a protocol adds no subprotocol the user did not offer.
    expect(plan('ws://h/cable').subprotocols).toEqual([]);
  });

  it('offers mqtt and the STOMP versions for an explicit --protocol, and checks their init payload first', () => {
    expect(plan('ws://h/', { protocol: 'mqtt' }).subprotocols).toEqual(['mqtt']);
    expect(plan('ws://h/ws', { protocol: 'stomp' }).subprotocols).toEqual([
      'v12.stomp',
      'v11.stomp',
      'v10.stomp',
    ]);
    const e = thrown(() => plan('ws://h/', { protocol: 'mqtt', initPayload: '{"keepAlive":"1"}' }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^--init-payload for MQTT is an object of .*keepAlive/);
    expect(e.message).not.toContain('\n');
    expect(thrown(() => plan('ws://h/ws', { protocol: 'stomp', initPayload: '"guest"' })).message).toMatch(
      /^--init-payload for STOMP is an object of host, login, passcode and heartBeat/,
    );
  });

  it("gives STOMP's client the connection's URL, whose host is the CONNECT host", () => {
    const sent: string[] = [];
    const client = clientForConnection(
      plan('ws://broker.example:15674/ws', { protocol: 'stomp' }),
      'v12.stomp',
    );
    client!.opened({ send: (d) => void sent.push(d.toString()), close() {}, event() {}, refused() {} });
    expect(sent[0]).toContain('\nhost:broker.example\n');
  });

  it('lets the 101 choose when nothing was chosen, and --protocol none speak nothing', () => {
    const p = plan('ws://h/graphql', { subprotocols: ['graphql-transport-ws'] });
    expect(p.chosen).toBeNull();
    expect(clientForConnection(p, 'graphql-transport-ws')?.name).toBe('graphql-ws');
    expect(clientForConnection(p, null)).toBeNull();
    const none = plan('ws://h/socket.io/', { protocol: 'none' });
    expect(none.url.href).toBe('ws://h/socket.io/');
    expect(clientForConnection(none, 'graphql-transport-ws')).toBeNull();
  });

  it('parses --init-payload and refuses what is not JSON, or not what the protocol takes', () => {
    expect(
      plan('ws://h/', { protocol: 'graphql-ws', initPayload: '{"token":"t"}' }).options.initPayload,
    ).toEqual({
      token: 't',
    });
    const e = thrown(() => plan('ws://h/', { protocol: 'graphql-ws', initPayload: '{token}' }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^--init-payload is not JSON/);
    expect(thrown(() => plan('ws://h/', { protocol: 'graphql-ws', initPayload: '3' })).message).toMatch(
      /connection_init payload, a JSON object/,
    );
  });

  it('refuses --subscribe and --init-payload where no protocol will hear them', () => {
    expect(thrown(() => plan('ws://h/', { subscribe: ['x'] })).message).toMatch(
      /add --protocol socket\.io\|graphql-ws/,
    );
    expect(thrown(() => plan('ws://h/', { protocol: 'none', initPayload: '{}' })).message).toMatch(
      /--protocol none speaks no protocol/,
    );
    expect(thrown(() => plan('ws://h/', { protocol: 'json-rpc', subscribe: ['x'] })).message).toMatch(
      /does not speak json-rpc as a client yet/,
    );
    expect(thrown(() => plan('ws://h/socket.io/', { subscribe: ['chat'] })).message).toMatch(
      /not a Socket\.IO namespace/,
    );
  });
});

describe('a --subscribe value for graphql-ws', () => {
  it('is a document, or a JSON request with its variables', () => {
    expect(subscribePayload('subscription { tick }')).toEqual({ query: 'subscription { tick }' });
    expect(subscribePayload('{ hello }')).toEqual({ query: '{ hello }' });
    expect(subscribePayload('{"query":"subscription($n:Int){ tick }","variables":{"n":1}}')).toEqual({
      query: 'subscription($n:Int){ tick }',
      variables: { n: 1 },
    });
    expect(() => subscribePayload('{"variables":{}}')).toThrow(/without a "query" string/);
  });
});
