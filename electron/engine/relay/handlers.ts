// `relay:*`: recording relays started from the console or `frameline relay`, their faults switched
// while clients are connected (`relay:faults`), their status pushed on
// `relay:status` at most ten times a second per relay, and `relay:client` once as each client
// connects and once as it ends for a relay that asks (the command line's).
import type { RelayClient, RelayFaultEvent, RelayStatus } from '../../../shared/contract/relay.js';
import type { DomainSetup, EngineContext } from '../context.js';
import { ForbiddenError, MissingError } from '../errors.js';
import { isLoopback } from '../listen.js';
import { clientView, RelayServer } from './relay.js';

const STATUS_INTERVAL_MS = 100;

/** Wires the relay domain; closing stops every relay (its clients closed with 1001, its session committed). */
export function setupRelay(
  ctx: EngineContext,
  options: { listenHosts: 'any' | 'loopback' } = { listenHosts: 'any' },
): DomainSetup<'relay'> {
  const live = new Map<number, { relay: RelayServer; dirty: boolean; timer: NodeJS.Timeout }>();
  const stop = async (sessionId: number): Promise<RelayStatus> => {
    const l = live.get(sessionId);
    if (!l) throw new MissingError(`no relay is running for session ${sessionId}; start one first`);
    await l.relay.stop();
    clearInterval(l.timer);
    live.delete(sessionId);
    const status = l.relay.status();
    ctx.push('relay:status', status);
    return status;
  };
  return {
    handlers: {
      relay: {
        start: async (r) => {
          // Browser mode: a page may not open a listener to the network that serve itself is not on.
          if (options.listenHosts === 'loopback' && !isLoopback(r.host))
            throw new ForbiddenError(
              `a relay started from the browser listens on loopback only (127.0.0.1 or ::1), not ${r.host}: frameline serve listens on loopback; start "frameline serve --host ADDRESS" to allow another address, or run "frameline relay --listen ${r.host}:PORT" in a terminal`,
            );
          // Clients are relayed only once start has answered (a later turn of the event loop), so `relay` is set.
          const clientEvent = (event: 'connected' | 'ended', client: RelayClient) =>
            ctx.push('relay:client', { sessionId: relay.sessionId, event, client: clientView(client) });
          const relay: RelayServer = await RelayServer.start(ctx, r, {
            onChange: () => {
              const l = live.get(relay.sessionId);
              if (l) l.dirty = true;
            },
            ...(r.clientEvents
              ? {
                  onClientOpened: (c: RelayClient) => clientEvent('connected', c),
                  onClientEnded: (c: RelayClient) => clientEvent('ended', c),
                  onFault: (f: RelayFaultEvent) => ctx.push('relay:fault', f),
                }
              : {}),
          });
          const entry = {
            relay,
            dirty: false,
            timer: setInterval(() => {
              if (!entry.dirty) return;
              entry.dirty = false;
              ctx.push('relay:status', relay.status());
            }, STATUS_INTERVAL_MS),
          };
          live.set(relay.sessionId, entry);
          const status = relay.status();
          ctx.push('relay:status', status);
          return status;
        },
        stop: (r) => stop(r.sessionId),
        list: () => [...live.values()].map((l) => l.relay.status()),
        faults: (r) => {
          const l = live.get(r.sessionId);
          if (!l) throw new MissingError(`no relay is running for session ${r.sessionId}; start one first`);
          return l.relay.switchFaults(r);
        },
      },
    },
    close: async () => {
      await Promise.all([...live.keys()].map((id) => stop(id)));
    },
  };
}
