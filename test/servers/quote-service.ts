// A small pricing service for the replay tests: it greets each client, answers {"id", "op":"quote",
// "symbol"} with a price (and a timestamp that changes on every run), and acknowledges other
// requests by id. `prices` lets a test change one answer, as a deploy would.
import { wsServer, type WsScenario } from './scenarios.js';

export const DEFAULT_PRICES: Record<string, number> = { FRML: 101.25, WSKT: 48.1, PING: 7.01 };

export interface QuoteServiceOptions {
  prices?: Record<string, number>;
  /** Drop the connection (no close frame) after this many requests. */
  dropAfter?: number;
  /** Close with this code after answering this many requests. */
  closeAfter?: { requests: number; code: number; reason: string };
}

export function quoteService(options: QuoteServiceOptions = {}): Promise<WsScenario> {
  const prices = options.prices ?? DEFAULT_PRICES;
  return wsServer((ws) => {
    let requests = 0;
    ws.send(JSON.stringify({ type: 'hello', server: 'quotes', ts: Date.now() }));
    ws.on('message', (data) => {
      requests++;
      if (options.dropAfter !== undefined && requests > options.dropAfter) {
        ws.terminate();
        return;
      }
      let m: { id?: number; op?: string; symbol?: string };
      try {
        m = JSON.parse(data.toString()) as typeof m;
      } catch {
        ws.send(`echo: ${data.toString()}`);
        return;
      }
      const answer =
        m.op === 'quote'
          ? {
              id: m.id,
              type: 'quote',
              symbol: m.symbol,
              price: prices[m.symbol ?? ''] ?? null,
              ts: Date.now(),
            }
          : { id: m.id, type: 'ack', op: m.op, ts: Date.now() };
      setTimeout(() => {
        ws.send(JSON.stringify(answer));
        if (options.closeAfter && requests === options.closeAfter.requests)
          ws.close(options.closeAfter.code, options.closeAfter.reason);
      }, 2);
    });
  });
}
