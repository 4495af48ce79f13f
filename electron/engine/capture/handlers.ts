// `capture:*`: captures started from the console, their sends and pings, and their status.
import type { DomainSetup, EngineContext } from '../context.js';
import { InputError } from '../errors.js';
import { LiveCaptures } from './live-captures.js';

/** Wires the capture domain. */
export function setupCapture(ctx: EngineContext): DomainSetup<'capture'> {
  const live = new LiveCaptures(ctx);
  return {
    handlers: {
      capture: {
        start: (r) => ({ sessionId: live.start(r) }),
        stop: async (r) => {
          await live.get(r.sessionId).stop('user');
          return { ok: true as const };
        },
        send: (r) => {
          const capture = live.get(r.sessionId);
          if (r.kind === 'binary') {
            const hex = r.data.replace(/\s+/g, '');
            if (!/^([0-9a-fA-F]{2})*$/.test(hex))
              throw new InputError('binary messages are hex digits in pairs, such as "01 ff 7a"');
            capture.send(Buffer.from(hex, 'hex'), true);
          } else capture.send(r.data);
          return { ok: true as const };
        },
        ping: (r) => {
          live.get(r.sessionId).ping();
          return { ok: true as const };
        },
        list: () => live.list(),
      },
    },
    close: () => live.stopAll(),
  };
}
