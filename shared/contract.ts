// The one contract between the engine and the console. Every request channel (`domain:verb`) and
// every push topic is declared here once, with runtime schemas; both shells (Electron IPC and the
// browser-mode WebSocket) carry exactly this, and each side validates what it receives.
import { z } from 'zod';
import { captureChannels, captureTopics } from './contract/capture.js';
import { diagnoseChannels, diagnoseTopics } from './contract/diagnose.js';
import { incidentChannels, runbookChannels, walkChannels, walkTopics } from './contract/incidents.js';
import { mockChannels, replayChannels, replayTopics } from './contract/replay.js';
import { interopChannels, interopTopics } from './contract/interop.js';
import { relayChannels, relayTopics } from './contract/relay.js';
import { reportChannels } from './contract/reports.js';
import { sessionChannels } from './contract/sessions.js';

export * from './contract/sessions.js';
export * from './contract/capture.js';
export * from './contract/messages.js';

/** Every request channel, grouped by domain: the channel name is `domain:verb`. */
export const contract = {
  app: {
    info: {
      request: z.object({}),
      response: z.object({
        version: z.string(),
        dbPath: z.string(),
        shell: z.enum(['desktop', 'browser']),
        /** Whether a command edited in the console may run here; if not, what to do instead. */
        editedCommands: z.object({ allowed: z.boolean(), advice: z.string().nullable() }),
      }),
    },
  },
  sessions: sessionChannels,
  capture: captureChannels,
  incidents: incidentChannels,
  runbooks: runbookChannels,
  walks: walkChannels,
  diagnose: diagnoseChannels,
  replay: replayChannels,
  mock: mockChannels,
  relay: relayChannels,
  reports: reportChannels,
  interop: interopChannels,
} as const;

/** Push topics from the engine to the console. */
export const topics = {
  ...captureTopics,
  /** The desktop app's link to its engine process: it stopped and is restarting, is back, or gave up. */
  'engine:link': z.object({ state: z.enum(['restarting', 'open', 'failed']), message: z.string() }),
  ...walkTopics,
  ...diagnoseTopics,
  ...replayTopics,
  ...relayTopics,
  ...interopTopics,
} as const;

export type Contract = typeof contract;
export type Domain = keyof Contract;
export type Topic = keyof typeof topics;

/** Request and response types of one channel, inferred from its schemas. */
export type RequestOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  request: z.ZodType;
}
  ? z.input<Contract[D][V]['request']>
  : never;
/** A request as the engine sees it after validation (defaults filled in). */
export type ParsedRequestOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  request: z.ZodType;
}
  ? z.output<Contract[D][V]['request']>
  : never;
export type ResponseOf<D extends Domain, V extends keyof Contract[D]> = Contract[D][V] extends {
  response: z.ZodType;
}
  ? z.output<Contract[D][V]['response']>
  : never;
export type PayloadOf<T extends Topic> = z.output<(typeof topics)[T]>;

/** The console's whole view of the engine: `api.sessions.list({})`, `api.on('capture:status', …)`. */
export type Api = {
  [D in Domain]: { [V in keyof Contract[D]]: (request: RequestOf<D, V>) => Promise<ResponseOf<D, V>> };
} & {
  on<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): () => void;
};

/**
 * How a failed request comes back over either shell. `needs-confirmation`: the host must hear from a
 * person outside the page first (browser mode: the code `frameline serve` shows in its terminal).
 */
export const ErrorBodySchema = z.object({
  code: z.enum(['bad-request', 'not-found', 'failed', 'forbidden', 'needs-confirmation']),
  message: z.string(),
});
export type ErrorBody = z.output<typeof ErrorBodySchema>;

/** The envelope of every response. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/** Every channel name, `domain:verb`, with its schemas. */
export function channels(): Array<{
  name: string;
  domain: Domain;
  verb: string;
  request: z.ZodType;
  response: z.ZodType;
}> {
  const out: Array<{ name: string; domain: Domain; verb: string; request: z.ZodType; response: z.ZodType }> =
    [];
  for (const domain of Object.keys(contract) as Domain[]) {
    for (const [verb, spec] of Object.entries(contract[domain]) as Array<
      [string, { request: z.ZodType; response: z.ZodType }]
    >) {
      out.push({ name: `${domain}:${verb}`, domain, verb, request: spec.request, response: spec.response });
    }
  }
  return out;
}

/** Thrown in the console when a request fails; `code` says whose fault it was. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorBody['code'],
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The Api as it crosses a process boundary: every call answers a Result instead of throwing, because
 * Electron's contextBridge keeps only the message of an error (the code would be lost).
 */
export type ResultApi = {
  [D in Domain]: {
    [V in keyof Contract[D]]: (request: RequestOf<D, V>) => Promise<Result<ResponseOf<D, V>>>;
  };
} & {
  on<T extends Topic>(topic: T, listener: (payload: PayloadOf<T>) => void): () => void;
};

/**
 * Builds the Result-answering Api over any transport that can invoke a channel and subscribe to a
 * topic. Responses and pushes are checked against the contract here, on the receiving side: an answer
 * in the wrong shape fails its call; a push in the wrong shape never reaches a listener, and
 * `refused` hears why.
 */
export function buildResultApi(
  invoke: (channel: string, request: unknown) => Promise<Result<unknown>>,
  subscribe: (topic: Topic, listener: (payload: unknown) => void) => () => void,
  refused: (message: string) => void,
): ResultApi {
  const api: Record<string, unknown> = {};
  for (const c of channels()) {
    const domain = (api[c.domain] ??= {}) as Record<string, unknown>;
    domain[c.verb] = async (request: unknown): Promise<Result<unknown>> => {
      const result = await invoke(c.name, request ?? {});
      if (!result.ok) return result;
      const parsed = c.response.safeParse(result.value);
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'failed',
            message: `${c.name} answered in an unexpected shape: ${parsed.error.message}`,
          },
        };
      }
      return { ok: true, value: parsed.data };
    };
  }
  api.on = (topic: Topic, listener: (payload: unknown) => void) => {
    // A page may name any string here; the contract's own topics are the only ones with a schema.
    const schema: z.ZodType | undefined = Object.hasOwn(topics, topic) ? topics[topic] : undefined;
    if (!schema) {
      refused(`no push topic ${JSON.stringify(topic)} in the contract; nothing will be heard on it`);
      return () => {};
    }
    return subscribe(topic, (payload) => {
      const parsed = schema.safeParse(payload);
      if (parsed.success) listener(parsed.data);
      else refused(`refused a push on ${topic} in an unexpected shape: ${parsed.error.message}`);
    });
  };
  return api as ResultApi;
}

/** The console's Api over a Result-answering one: failures become ApiErrors with their code. */
export function unwrapApi(results: ResultApi): Api {
  const api: Record<string, unknown> = {};
  const source = results as unknown as Record<
    string,
    Record<string, (r: unknown) => Promise<Result<unknown>>>
  >;
  for (const c of channels()) {
    const domain = (api[c.domain] ??= {}) as Record<string, unknown>;
    const call = source[c.domain]![c.verb]!;
    domain[c.verb] = async (request: unknown) => {
      const result = await call(request ?? {});
      if (!result.ok) throw new ApiError(result.error.code, result.error.message);
      return result.value;
    };
  }
  api.on = (topic: Topic, listener: (payload: unknown) => void) => results.on(topic, listener as never);
  return api as Api;
}

/** The console's Api over a transport; `refused` hears of each push refused for its shape. */
export function buildApi(
  invoke: (channel: string, request: unknown) => Promise<Result<unknown>>,
  subscribe: (topic: Topic, listener: (payload: unknown) => void) => () => void,
  refused: (message: string) => void,
): Api {
  return unwrapApi(buildResultApi(invoke, subscribe, refused));
}
