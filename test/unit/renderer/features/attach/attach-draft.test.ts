import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRAFT,
  draftSummary,
  toCaptureRequest,
  type AttachDraft,
  type HeaderRow,
} from '../../../../../renderer/features/attach/attach-draft';
import { loadDraft, saveDraft, storableDraft } from '../../../../../renderer/features/attach/attach-memory';
import { DEFAULT_PROBE_DRAFT, toProbeRequest } from '../../../../../renderer/features/diagnose/probe-draft';
import { CaptureRequestSchema } from '../../../../../shared/contract';

const TARGET = 'wss://api.example.com/stream';
/** Files chosen in the page: their names, and their text (the request carries the text). */
const CA = {
  name: 'internal-ca.pem',
  text: '-----BEGIN CERTIFICATE-----\nMIIB…ca\n-----END CERTIFICATE-----\n',
};
const CERT = {
  name: 'client.pem',
  text: '-----BEGIN CERTIFICATE-----\nMIIB…client\n-----END CERTIFICATE-----\n',
};
const KEY = {
  name: 'client.key',
  text: '-----BEGIN PRIVATE KEY-----\nMIIE…key\n-----END PRIVATE KEY-----\n',
};

/** The default form with a URL typed in, plus whatever the test changes. */
function draft(patch: Partial<AttachDraft> = {}): AttachDraft {
  return { ...DEFAULT_DRAFT, url: TARGET, ...patch };
}

let nextId = 1;
function rows(...pairs: Array<[string, string]>): HeaderRow[] {
  return pairs.map(([name, value]) => ({ id: nextId++, name, value }));
}

/** The errors of a draft that must not become a request. */
function errorsOf(patch: Partial<AttachDraft>) {
  const { request, errors } = toCaptureRequest(draft(patch));
  expect(request).toBeNull();
  return errors;
}

/** The request of a draft that must be accepted. */
function requestOf(patch: Partial<AttachDraft>) {
  const { request, errors } = toCaptureRequest(draft(patch));
  expect(errors).toEqual({});
  expect(request).not.toBeNull();
  return request!;
}

describe('toCaptureRequest: the defaults', () => {
  it('turns the untouched form into the minimal request, with the 10 s timeout and 1 MiB cap it shows', () => {
    expect(toCaptureRequest(draft())).toStrictEqual({
      request: {
        url: TARGET,
        headers: [],
        subprotocols: [],
        compression: false,
        insecure: false,
        connectTimeoutSeconds: 10,
        payloadCap: 1_048_576,
      },
      errors: {},
    });
  });

  it('leaves out every optional field that is blank (proxy from the environment, no ping, no reconnect)', () => {
    const request = requestOf({});
    for (const key of [
      'name',
      'origin',
      'caPem',
      'certPem',
      'keyPem',
      'proxy',
      'pingIntervalSeconds',
      'reconnect',
      'maxPayload',
    ]) {
      expect(request, key).not.toHaveProperty(key);
    }
  });

  it('produces requests the contract accepts', () => {
    const drafts: AttachDraft[] = [
      draft(),
      draft({
        name: 'prod stream',
        headers: rows(['Authorization', 'Bearer abc'], ['X-Trace-Id', '42']),
        origin: 'https://app.example.com',
        subprotocols: 'graphql-transport-ws, mqtt',
        compression: true,
        ca: CA,
        cert: CERT,
        key: KEY,
        insecure: true,
        proxyMode: 'url',
        proxyUrl: 'http://proxy.corp:3128',
        connectTimeoutS: '2.5',
        payloadCapKiB: '0',
        pingIntervalS: '15',
        reconnect: true,
        reconnectBaseMs: '0',
        reconnectMaxMs: '5000',
        reconnectFactor: '1',
        reconnectJitter: '1',
        reconnectAttempts: '1',
      }),
      draft({ proxyMode: 'none', reconnect: true }),
    ];
    for (const d of drafts) {
      const { request } = toCaptureRequest(d);
      expect(request).not.toBeNull();
      expect(CaptureRequestSchema.safeParse(request).success).toBe(true);
    }
  });
});

describe('toCaptureRequest: the URL', () => {
  it('asks for a URL when the field is empty or blank', () => {
    for (const url of ['', '   ']) {
      expect(errorsOf({ url })).toEqual({
        url: 'Enter the endpoint’s URL, such as wss://api.example.com/stream',
      });
    }
  });

  it('says which URL has no WebSocket scheme', () => {
    expect(errorsOf({ url: 'api.example.com/stream' }).url).toBe(
      '"api.example.com/stream" has no ws:// or wss:// scheme; WebSocket URLs start with one of them',
    );
    expect(errorsOf({ url: ' ftp://files.example.com ' }).url).toBe(
      '"ftp://files.example.com" has no ws:// or wss:// scheme; WebSocket URLs start with one of them',
    );
    expect(errorsOf({ url: 'wss:/api.example.com' }).url).toBe(
      '"wss:/api.example.com" has no ws:// or wss:// scheme; WebSocket URLs start with one of them',
    );
  });

  it('accepts ws:// and wss:// in any case and trims the URL', () => {
    expect(requestOf({ url: '  ws://localhost:8080/socket  ' }).url).toBe('ws://localhost:8080/socket');
    expect(requestOf({ url: 'WSS://API.example.com/stream' }).url).toBe('WSS://API.example.com/stream');
  });

  it('lets http:// and https:// through to the engine, which answers them with "use ws:// or wss://"', () => {
    expect(requestOf({ url: 'https://api.example.com/stream' }).url).toBe('https://api.example.com/stream');
    expect(requestOf({ url: 'http://localhost:8080/' }).url).toBe('http://localhost:8080/');
  });
});

describe('toCaptureRequest: header rows', () => {
  it('sends named rows in order with the name trimmed, and skips blank rows', () => {
    const request = requestOf({
      headers: rows(
        [' Authorization ', 'Bearer abc def'],
        ['', ''],
        ['  ', '   '],
        ['X-Trace-Id', '42'],
        ['Cookie', ''],
      ),
    });
    expect(request.headers).toEqual([
      ['Authorization', 'Bearer abc def'],
      ['X-Trace-Id', '42'],
      ['Cookie', ''],
    ]);
  });

  it('refuses a name with a space or a colon, quoting the name as typed', () => {
    expect(errorsOf({ headers: rows(['X Trace', '1']) })).toEqual({
      headers: '"X Trace" is not a valid header name (letters, digits and -, no spaces or colons)',
    });
    expect(errorsOf({ headers: rows(['Authorization:', 'Bearer abc']) }).headers).toBe(
      '"Authorization:" is not a valid header name (letters, digits and -, no spaces or colons)',
    );
  });

  it('refuses a value without a name', () => {
    expect(errorsOf({ headers: rows(['', 'Bearer abc']) }).headers).toBe(
      '"" is not a valid header name (letters, digits and -, no spaces or colons)',
    );
  });

  it('reports the first bad row only', () => {
    expect(errorsOf({ headers: rows(['X-Ok', '1'], ['Bad Name', '2'], ['Other:', '3']) }).headers).toBe(
      '"Bad Name" is not a valid header name (letters, digits and -, no spaces or colons)',
    );
  });

  it('accepts every token character RFC 9110 allows in a name', () => {
    expect(requestOf({ headers: rows(["X-a.b_c~d!#$%&'*+^`|9", 'v']) }).headers).toEqual([
      ["X-a.b_c~d!#$%&'*+^`|9", 'v'],
    ]);
  });
});

describe('toCaptureRequest: connect timeout, payload cap and ping interval', () => {
  it('converts seconds to milliseconds and KiB to bytes', () => {
    const request = requestOf({ connectTimeoutS: ' 2.5 ', payloadCapKiB: '64', pingIntervalS: '30' });
    expect(request.connectTimeoutSeconds).toBe(2.5);
    expect(request.payloadCap).toBe(65_536);
    expect(request.pingIntervalSeconds).toBe(30);
    expect(requestOf({ pingIntervalS: '0.5' }).pingIntervalSeconds).toBe(0.5);
  });

  it('leaves a blank field to the engine’s default', () => {
    const request = requestOf({ connectTimeoutS: '', payloadCapKiB: ' ', pingIntervalS: '' });
    expect(request).not.toHaveProperty('connectTimeoutSeconds');
    expect(request).not.toHaveProperty('payloadCap');
    expect(request).not.toHaveProperty('pingIntervalSeconds');
  });

  it('needs a connect timeout above zero', () => {
    for (const bad of ['0', '-3', 'ten', 'Infinity', '5s']) {
      expect(errorsOf({ connectTimeoutS: bad })).toEqual({
        connectTimeoutS: `The connect timeout must be a number above 0, such as 10; "${bad}" is not`,
      });
    }
  });

  it('quotes the value trimmed', () => {
    expect(errorsOf({ connectTimeoutS: '  abc ' }).connectTimeoutS).toBe(
      'The connect timeout must be a number above 0, such as 10; "abc" is not',
    );
  });

  it('needs a whole, non-negative payload cap; 0 is allowed', () => {
    expect(requestOf({ payloadCapKiB: '0' }).payloadCap).toBe(0);
    for (const bad of ['1.5', '-1', 'lots']) {
      expect(errorsOf({ payloadCapKiB: bad })).toEqual({
        payloadCapKiB: `The payload cap must be a whole number of at least 0 and at most 2097152, such as 1024; "${bad}" is not`,
      });
    }
  });

  it('needs a ping interval above zero', () => {
    expect(errorsOf({ pingIntervalS: '0' })).toEqual({
      pingIntervalS: 'The ping interval must be a number above 0, such as 30; "0" is not',
    });
    expect(errorsOf({ pingIntervalS: '-30' }).pingIntervalS).toBe(
      'The ping interval must be a number above 0, such as 30; "-30" is not',
    );
  });

  it('refuses a payload cap too large to be a whole number of bytes (the contract refuses it)', () => {
    const { request, errors } = toCaptureRequest(draft({ payloadCapKiB: '100000000000000' }));
    if (request) expect(CaptureRequestSchema.safeParse(request).success).toBe(true);
    else expect(errors.payloadCapKiB).toBeDefined();
  });
});

describe('toCaptureRequest: the reconnect policy', () => {
  it('is left out while reconnect is off, and its fields are not checked', () => {
    const { request, errors } = toCaptureRequest(
      draft({ reconnect: false, reconnectFactor: 'fast', reconnectAttempts: '-1', reconnectJitter: '9' }),
    );
    expect(errors).toEqual({});
    expect(request).not.toHaveProperty('reconnect');
  });

  it('uses the form’s defaults when switched on', () => {
    expect(requestOf({ reconnect: true }).reconnect).toEqual({
      baseMs: 500,
      maxMs: 30_000,
      factor: 2,
      jitter: 0.2,
      attempts: 10,
    });
  });

  it('takes the typed values, and falls back to the defaults for blank fields', () => {
    expect(
      requestOf({
        reconnect: true,
        reconnectBaseMs: '250',
        reconnectMaxMs: '5000',
        reconnectFactor: '1.5',
        reconnectJitter: '0',
        reconnectAttempts: '3',
      }).reconnect,
    ).toEqual({ baseMs: 250, maxMs: 5000, factor: 1.5, jitter: 0, attempts: 3 });
    expect(
      requestOf({
        reconnect: true,
        reconnectBaseMs: '',
        reconnectMaxMs: ' ',
        reconnectFactor: '',
        reconnectJitter: '',
        reconnectAttempts: '',
      }).reconnect,
    ).toEqual({ baseMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2, attempts: 10 });
  });

  it('accepts the bounds: no first delay, factor 1, jitter 0 and 1, one attempt', () => {
    expect(
      requestOf({
        reconnect: true,
        reconnectBaseMs: '0',
        reconnectMaxMs: '0',
        reconnectFactor: '1',
        reconnectJitter: '1',
        reconnectAttempts: '1',
      }).reconnect,
    ).toEqual({ baseMs: 0, maxMs: 0, factor: 1, jitter: 1, attempts: 1 });
  });

  it('explains each field that is out of range', () => {
    const cases: Array<[Partial<AttachDraft>, keyof AttachDraft, string]> = [
      [
        { reconnectBaseMs: '-1' },
        'reconnectBaseMs',
        'The first delay must be a number of at least 0, such as 500; "-1" is not',
      ],
      [
        { reconnectMaxMs: 'abc' },
        'reconnectMaxMs',
        'The longest delay must be a number of at least 0, such as 30000; "abc" is not',
      ],
      [
        { reconnectFactor: '0.5' },
        'reconnectFactor',
        'The factor must be a number of at least 1, such as 2; "0.5" is not',
      ],
      [
        { reconnectJitter: '1.5' },
        'reconnectJitter',
        'The jitter must be a number of at least 0 and at most 1, such as 0.2; "1.5" is not',
      ],
      [
        { reconnectJitter: '-0.1' },
        'reconnectJitter',
        'The jitter must be a number of at least 0 and at most 1, such as 0.2; "-0.1" is not',
      ],
      [
        { reconnectAttempts: '2.5' },
        'reconnectAttempts',
        'The attempts must be a whole number of at least 1, such as 10; "2.5" is not',
      ],
      [
        { reconnectAttempts: '0' },
        'reconnectAttempts',
        'The attempts must be a whole number of at least 1, such as 10; "0" is not',
      ],
    ];
    for (const [patch, field, sentence] of cases) {
      expect(errorsOf({ reconnect: true, ...patch }), field).toEqual({ [field]: sentence });
    }
  });
});

describe('toCaptureRequest: proxy', () => {
  it('takes the proxy from the environment by leaving it out, whatever the URL field holds', () => {
    const request = requestOf({ proxyMode: 'environment', proxyUrl: 'not a proxy' });
    expect(request).not.toHaveProperty('proxy');
  });

  it('sends null for no proxy', () => {
    expect(requestOf({ proxyMode: 'none', proxyUrl: 'http://ignored:1' }).proxy).toBeNull();
  });

  it('sends an http:// or https:// proxy URL, trimmed', () => {
    expect(requestOf({ proxyMode: 'url', proxyUrl: ' http://proxy.corp:3128 ' }).proxy).toBe(
      'http://proxy.corp:3128',
    );
    expect(requestOf({ proxyMode: 'url', proxyUrl: 'HTTPS://proxy.corp:8443' }).proxy).toBe(
      'HTTPS://proxy.corp:8443',
    );
  });

  it('asks for an http://host:port proxy when the URL is missing or of another kind', () => {
    for (const proxyUrl of [
      '',
      'proxy.corp:3128',
      'socks5://proxy.corp:1080',
      'http://',
      'http://proxy corp',
    ]) {
      expect(errorsOf({ proxyMode: 'url', proxyUrl }), proxyUrl).toEqual({
        proxyUrl: 'Enter the proxy as http://host:port (CONNECT tunnelling), or choose another proxy setting',
      });
    }
  });
});

describe('toCaptureRequest: TLS files and the other options', () => {
  it('needs the key with a client certificate, and the certificate with a key', () => {
    expect(errorsOf({ cert: CERT })).toEqual({
      key: 'A client certificate needs its private key file too',
    });
    expect(errorsOf({ key: KEY })).toEqual({
      cert: 'A private key needs its client certificate file too',
    });
  });

  it('sends the chosen files as their PEM text, never a path; a CA file alone is fine', () => {
    const request = requestOf({ ca: CA, cert: CERT, key: KEY });
    expect(request).toMatchObject({ caPem: CA.text, certPem: CERT.text, keyPem: KEY.text });
    for (const field of ['caFile', 'certFile', 'keyFile']) expect(request).not.toHaveProperty(field);
    const caOnly = requestOf({ ca: CA });
    expect(caOnly.caPem).toBe(CA.text);
    expect(caOnly).not.toHaveProperty('certPem');
  });

  it('trims the name and the origin, and splits the subprotocols on commas', () => {
    const request = requestOf({
      name: '  prod stream ',
      origin: ' https://app.example.com ',
      subprotocols: ' graphql-transport-ws , mqtt,, ',
      compression: true,
      insecure: true,
    });
    expect(request).toMatchObject({
      name: 'prod stream',
      origin: 'https://app.example.com',
      subprotocols: ['graphql-transport-ws', 'mqtt'],
      compression: true,
      insecure: true,
    });
  });

  it('reports every problem at once, keyed by field, and sends nothing', () => {
    const { request, errors } = toCaptureRequest(
      draft({
        url: '',
        headers: rows(['Bad Name', 'x']),
        connectTimeoutS: '0',
        payloadCapKiB: '0.5',
        pingIntervalS: 'often',
        reconnect: true,
        reconnectJitter: '2',
        proxyMode: 'url',
        proxyUrl: '',
        cert: CERT,
      }),
    );
    expect(request).toBeNull();
    expect(Object.keys(errors).sort()).toEqual([
      'connectTimeoutS',
      'headers',
      'key',
      'payloadCapKiB',
      'pingIntervalS',
      'proxyUrl',
      'reconnectJitter',
      'url',
    ]);
  });
});

describe('draftSummary', () => {
  const DEFAULTS = 'Defaults: no extra headers, proxy from the environment, no heartbeat, no reconnect';

  it('says the options are the defaults for an untouched form', () => {
    expect(draftSummary(DEFAULT_DRAFT)).toBe(DEFAULTS);
    expect(draftSummary(draft({ name: 'prod stream' }))).toBe(DEFAULTS);
  });

  it('counts named header rows only, singular and plural', () => {
    expect(draftSummary(draft({ headers: rows(['Authorization', 'x'], ['', 'orphan value']) }))).toBe(
      '1 header',
    );
    expect(draftSummary(draft({ headers: rows(['Authorization', 'x'], ['X-Trace-Id', '42']) }))).toBe(
      '2 headers',
    );
    expect(draftSummary(draft({ headers: rows(['  ', '']) }))).toBe(DEFAULTS);
  });

  it('lists every option that differs, in the form’s order, separated by middle dots', () => {
    expect(
      draftSummary(
        draft({
          headers: rows(['Authorization', 'Bearer abc'], ['X-Trace-Id', '42']),
          origin: ' https://app.example.com ',
          subprotocols: ' graphql-ws, mqtt ',
          compression: true,
          ca: CA,
          insecure: true,
          proxyMode: 'url',
          proxyUrl: ' http://proxy.corp:3128 ',
          pingIntervalS: ' 30 ',
          reconnect: true,
        }),
      ),
    ).toBe(
      '2 headers · origin https://app.example.com · subprotocols graphql-ws, mqtt · permessage-deflate · ' +
        'custom TLS · any certificate (insecure) · proxy http://proxy.corp:3128 · ping every 30 s · ' +
        'reconnect with backoff',
    );
  });

  it('names the proxy and TLS choices', () => {
    expect(draftSummary(draft({ proxyMode: 'none' }))).toBe('no proxy');
    expect(draftSummary(draft({ cert: CERT, key: KEY }))).toBe('custom TLS');
    expect(draftSummary(draft({ insecure: true, reconnect: true }))).toBe(
      'any certificate (insecure) · reconnect with backoff',
    );
  });

  it('mentions a connect timeout changed from its default of 10 s', () => {
    expect(draftSummary(draft({ connectTimeoutS: '30' }))).not.toBe(DEFAULTS);
  });
});

describe('a secret header after a reload (issue 19, item 10f)', () => {
  /** This browser's storage for the length of a test: what a reload reads back. */
  function withStorage<T>(run: () => T): T {
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, String(v)),
      removeItem: (k: string) => void items.delete(k),
      clear: () => items.clear(),
      key: (i: number) => [...items.keys()][i] ?? null,
      get length() {
        return items.size;
      },
    };
    const g = globalThis as { localStorage?: unknown };
    const before = g.localStorage;
    g.localStorage = storage;
    try {
      return run();
    } finally {
      g.localStorage = before;
    }
  }

  const typed = draft({
    headers: rows(['X-Team', 'prices'], ['Authorization', 'Bearer canary-attach-secret']),
  });

  it('asks for the value again instead of sending the header empty', () => {
    const reloaded = withStorage(() => {
      saveDraft(typed);
      return loadDraft();
    });
    expect(JSON.stringify(reloaded)).not.toContain('canary-attach-secret');
    expect(reloaded.headers.map((h) => [h.name, h.value])).toEqual([
      ['X-Team', 'prices'],
      ['Authorization', ''],
    ]);
    const { request, errors } = toCaptureRequest(reloaded);
    expect(request).toBeNull();
    expect(errors).toEqual({
      headers:
        'Type the value of Authorization again: secret header values are not kept across a reload (or remove the row)',
    });
  });

  it('sends it once typed again, and asks again after another reload without it', () => {
    const reloaded = withStorage(() => {
      saveDraft(typed);
      const once = loadDraft();
      saveDraft(once);
      return loadDraft();
    });
    expect(toCaptureRequest(reloaded).errors.headers).toMatch(/^Type the value of Authorization again/);
    const retyped = {
      ...reloaded,
      headers: reloaded.headers.map((h) =>
        h.name === 'Authorization' ? { ...h, value: 'Bearer typed-again' } : h,
      ),
    };
    expect(requestOf(retyped).headers).toEqual([
      ['X-Team', 'prices'],
      ['Authorization', 'Bearer typed-again'],
    ]);
    const removed = { ...reloaded, headers: reloaded.headers.filter((h) => h.name !== 'Authorization') };
    expect(requestOf(removed).headers).toEqual([['X-Team', 'prices']]);
  });

  it('asks the same in the side panel’s probe, which takes the attach screen’s headers', () => {
    const reloaded = withStorage(() => {
      saveDraft(typed);
      return loadDraft();
    });
    const { request, errors } = toProbeRequest(
      TARGET,
      { ...DEFAULT_PROBE_DRAFT, headers: reloaded.headers.map((h) => ({ ...h })) },
      'run-1',
    );
    expect(request).toBeNull();
    expect(errors.headers).toMatch(/^Type the value of Authorization again/);
  });

  it('still sends a header left empty on purpose (it was never given a value)', () => {
    const reloaded = withStorage(() => {
      saveDraft(draft({ headers: rows(['Cookie', '']) }));
      return loadDraft();
    });
    expect(requestOf(reloaded).headers).toEqual([['Cookie', '']]);
  });
});

describe('toCaptureRequest: the protocol', () => {
  it('sends the protocol, the init payload as typed and one subscription a line', () => {
    const request = requestOf({
      protocol: 'graphql-ws',
      initPayload: ' {"token":"t0k"} ',
      subscribe: 'subscription { tick }\n\nsubscription { prices }\n',
    });
    expect(request).toMatchObject({
      protocol: 'graphql-ws',
      initPayload: '{"token":"t0k"}',
      subscribe: ['subscription { tick }', 'subscription { prices }'],
    });
    expect(CaptureRequestSchema.safeParse(request).success).toBe(true);
    expect(requestOf({})).not.toHaveProperty('protocol');
  });

  it('refuses an init payload that is not JSON, and asks for nothing on a plain socket', () => {
    expect(errorsOf({ protocol: 'graphql-ws', initPayload: 'token=1' }).initPayload).toMatch(
      /^The init payload is not JSON/,
    );
    expect(errorsOf({ protocol: 'none', subscribe: '/chat' }).protocol).toMatch(
      /plain socket speaks no protocol/,
    );
  });

  it('never keeps the init payload across a reload, and says the protocol in the summary', () => {
    const stored = storableDraft(
      draft({ protocol: 'socket.io', initPayload: '{"token":"s3cret"}', subscribe: '/chat' }),
    );
    expect(stored).toMatchObject({ protocol: 'socket.io', initPayload: '', subscribe: '/chat' });
    expect(draftSummary(draft({ protocol: 'socket.io', subscribe: '/chat' }))).toContain(
      'speaks socket.io · 1 subscription',
    );
  });
});

describe('toCaptureRequest: the conversation script', () => {
  it('sends the script as typed, and leaves a blank one out', () => {
    const script = '# hello\nsend {"op":"hello"}\nexpect /welcome/ 5s\n';
    expect(requestOf({ script }).script).toBe(script);
    expect(requestOf({ script: '  \n' })).not.toHaveProperty('script');
    expect(CaptureRequestSchema.safeParse(requestOf({ script })).success).toBe(true);
    expect(draftSummary(draft({ script }))).toBe('a conversation script');
  });

  it('says which line is wrong, in the words of the engine', () => {
    expect(errorsOf({ script: 'send hi\nexpect {"a":' })).toEqual({
      script: expect.stringMatching(/^Line 2: expect \{"a":: not valid JSON/),
    });
    expect(errorsOf({ script: 'sleep 5' }).script).toBe(
      'Line 1: sleep "5" is not a duration such as 500ms, 5s or 2m (give a unit: 5s or 5ms)',
    );
  });
});
