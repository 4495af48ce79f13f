// What must not leave the machine: each rule of the redactor on the places secrets hide, with the
// counts an export reports, and nothing public masked by mistake.
import { describe, expect, it } from 'vitest';
import { isSecretName, MASK, Redactor, redactionSentence } from '../../../shared/redaction.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnkiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('isSecretName', () => {
  it.each([
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'Set-Cookie',
    'X-Api-Key',
    'X-Auth-Token',
    'access_token',
    'password',
    'sessionId',
    'client_secret',
  ])('%s is secret', (n) => expect(isSecretName(n)).toBe(true));
  it.each(['Sec-WebSocket-Key', 'Sec-WebSocket-Accept', 'Host', 'Origin', 'User-Agent', 'id', 'price'])(
    '%s is public',
    (n) => expect(isSecretName(n)).toBe(false),
  );
});

describe('Redactor', () => {
  it('masks credential headers, keeping the scheme of an Authorization', () => {
    const r = new Redactor();
    expect(
      r.headers({
        Authorization: 'Bearer canary-token-1',
        Cookie: 'sid=canary; theme=dark',
        'X-Api-Key': 'canary-key',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        Host: 'example.com',
      }),
    ).toEqual({
      Authorization: `Bearer ${MASK}`,
      Cookie: MASK,
      'X-Api-Key': MASK,
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      Host: 'example.com',
    });
    expect(r.report()).toEqual([{ rule: 'header', count: 3 }]);
  });

  it('masks secret query parameters and the password of a URL, nothing else', () => {
    const r = new Redactor();
    const out = r.url('wss://user:canary-pass@example.com/ws?room=7&token=canary-q&api_key=canary-k');
    expect(out).not.toMatch(/canary/);
    expect(out).toContain('room=7');
    expect(out).toContain('example.com/ws');
    expect(r.url('ws://example.com/ws?room=7')).toBe('ws://example.com/ws?room=7');
    expect(r.report()).toEqual([
      { rule: 'url-query', count: 2 },
      { rule: 'url-userinfo', count: 1 },
    ]);
  });

  it('masks tokens smuggled in the subprotocol list', () => {
    const r = new Redactor();
    expect(r.subprotocols(['graphql-transport-ws', 'access_token', 'c4n4ryT0kenValueThatIsLong123'])).toEqual(
      ['graphql-transport-ws', 'access_token', MASK],
    );
    expect(r.header('Sec-WebSocket-Protocol', `v1.chat, ${JWT}`)).toBe(`v1.chat, ${MASK}`);
  });

  it('masks JSON fields by name at any depth and JWTs anywhere in a frame', () => {
    const r = new Redactor();
    const frame = JSON.stringify({
      type: 'auth',
      payload: { user: 'ann', credentials: { password: 'canary-pw' }, apiKey: 'canary-k' },
      note: `token inside text ${JWT}`,
      list: [{ session: 'canary-s' }],
    });
    const out = r.text(frame);
    expect(out).not.toMatch(/canary|eyJ/);
    expect(JSON.parse(out)).toMatchObject({ type: 'auth', payload: { user: 'ann' } });
    expect(r.report()).toEqual(
      expect.arrayContaining([
        { rule: 'json-field', count: 3 },
        { rule: 'jwt', count: 1 },
      ]),
    );
  });

  it('masks secret fields of form-encoded text', () => {
    const r = new Redactor();
    expect(r.text('user=ann&password=canary-pw&lang=en')).toBe(`user=ann&password=${MASK}&lang=en`);
  });

  it('applies the user’s field names and patterns, and counts them apart', () => {
    const r = new Redactor({
      enabled: true,
      fields: ['accountNumber'],
      patterns: ['\\b\\d{4}-\\d{4}-\\d{4}\\b'],
    });
    const out = r.text(JSON.stringify({ accountNumber: 'ACC-1', memo: 'card 1234-5678-9012 used' }));
    expect(out).not.toMatch(/ACC-1|1234-5678-9012/);
    expect(r.report()).toEqual([
      { rule: 'user-field', count: 1 },
      { rule: 'user-pattern', count: 1 },
    ]);
  });

  it('leaves a text frame without secrets exactly as it was', () => {
    const r = new Redactor();
    const frame = '{"id":1,"price":  42.5}';
    expect(r.text(frame)).toBe(frame);
    expect(r.total).toBe(0);
  });

  it('masks credentials in free text: command lines, their output and notes', () => {
    const r = new Redactor();
    const command = `curl -H "Authorization: Bearer canary-tok" -H 'X-Api-Key: canary-key' "https://api.example/v1?room=7&access_token=canary-q" --data password=canary-pw`;
    const out = r.prose(command);
    expect(out).not.toMatch(/canary/);
    expect(out).toContain(`Authorization: Bearer ${MASK}`);
    expect(out).toContain('room=7');
    expect(out).toContain('https://api.example/v1?');
    const output = `HTTP/1.1 101 Switching Protocols\nSet-Cookie: sid=canary-sid; Path=/\n{"level":"info","session":"canary-s", "msg":"token ${JWT}"`;
    const masked = r.prose(output);
    expect(masked).not.toMatch(/canary|eyJ/);
    expect(masked).toContain('HTTP/1.1 101 Switching Protocols');
    expect(masked).toContain('"level":"info"');
    expect(r.prose('Looked at wss://chat.example/ws?token=canary-n. Fine otherwise.')).toBe(
      `Looked at wss://chat.example/ws?token=${MASK}. Fine otherwise.`,
    );
    expect(r.report()).toEqual(
      expect.arrayContaining([
        { rule: 'header', count: 3 },
        { rule: 'url-query', count: 2 },
        { rule: 'form-field', count: 1 },
        { rule: 'json-field', count: 1 },
        { rule: 'jwt', count: 1 },
      ]),
    );
  });

  it('leaves free text without secrets as it was, counting nothing twice', () => {
    const r = new Redactor();
    const note =
      'entered SCOPE "Is it one user or everyone?" at 02:07:42; session 5 (capture) linked; token: none';
    expect(r.prose(note)).toBe(note.replace('token: none', `token: ${MASK}`));
    expect(r.total).toBe(1);
    const once = new Redactor();
    once.prose('wscat -c "wss://x.example/?token=canary"');
    expect(once.report()).toEqual([{ rule: 'url-query', count: 1 }]);
  });

  it('reads every string of a value as free text, and says in one sentence what it took out', () => {
    const r = new Redactor({ enabled: true, fields: ['owner'], patterns: ['hunter2'] });
    const evidence = r.value({
      url: 'wss://chat.example/ws?token=canary-t',
      checks: [{ note: `Bearer ${JWT}` }],
      owner: 'ann',
      idleSeconds: 60,
      memo: 'password is hunter2',
    });
    expect(JSON.stringify(evidence)).not.toMatch(/canary|eyJ|hunter2|ann/);
    expect(evidence).toMatchObject({ idleSeconds: 60, url: `wss://chat.example/ws?token=${MASK}` });
    const summary = r.summary();
    expect(summary).toEqual({
      enabled: true,
      rules: [
        { rule: 'jwt', count: 1 },
        { rule: 'url-query', count: 1, names: ['token'] },
        { rule: 'user-field', count: 1, names: ['owner'] },
        { rule: 'user-pattern', count: 1 },
      ],
      userFields: ['owner'],
      userPatterns: 1,
    });
    const sentence = redactionSentence(summary);
    expect(sentence).toBe(
      "Redacted 4 values (jwt 1; url-query 1: token; user-field 1: owner; user-pattern 1); each is shown as ***. Rules: credentials in headers, URLs and subprotocols, Bearer tokens, JWTs, secret-named fields, the fields owner and 1 pattern of the user's.",
    );
    expect(sentence).not.toContain('hunter2');
    expect(redactionSentence(new Redactor({ enabled: false, fields: [], patterns: [] }).summary())).toMatch(
      /^Redaction was turned off for this export: it may hold/,
    );
  });

  it('changes nothing when redaction is turned off', () => {
    const r = new Redactor({ enabled: false, fields: [], patterns: [] });
    expect(r.header('Authorization', 'Bearer canary')).toBe('Bearer canary');
    expect(r.text(`{"token":"${JWT}"}`)).toContain(JWT);
  });

  it('lets a load-test export put references where the secrets were', () => {
    const r = new Redactor(undefined, (_rule, name) => `{{ $env.${(name ?? 'SECRET').toUpperCase()} }}`);
    expect(r.header('Authorization', 'Bearer canary')).toBe('Bearer {{ $env.AUTHORIZATION }}');
    expect(r.text('{"token":"canary"}')).toBe('{"token":"{{ $env.TOKEN }}"}');
  });
});

describe('secrets that left by side doors (issue 19, item 10)', () => {
  it('masks only the credential of an Authorization written in a note, keeping the rest of it', () => {
    const r = new Redactor();
    const note =
      'Authorization: Bearer canary-note-bearer was in the client log, then we restarted the proxy.\n' +
      'Proxy-Authorization: Basic Y2FuYXJ5OnBhc3M= worked; Cookie: sid=canary-cookie; theme=dark\nend';
    const out = r.prose(note);
    expect(out).not.toMatch(/canary|Y2FuYXJ5/);
    expect(out).toBe(
      `Authorization: Bearer ${MASK} was in the client log, then we restarted the proxy.\n` +
        `Proxy-Authorization: Basic ${MASK} worked; Cookie: ${MASK}\nend`,
    );
    // Digest's parameters are the credential; a value without a known scheme is masked to the line's end.
    expect(
      new Redactor().prose(
        'Authorization: Digest username="ann", realm="x", response="canary-digest" then retried',
      ),
    ).toBe(`Authorization: Digest ${MASK} then retried`);
    expect(new Redactor().prose('Authorization: canary-raw-credential was used\nnext line')).toBe(
      `Authorization: ${MASK}\nnext line`,
    );
  });

  it('masks secrets a plain-text (non-JSON) frame carries: Bearer tokens, header lines, pairs, URLs', () => {
    const r = new Redactor();
    const stomp =
      'CONNECT\naccept-version:1.2\nAuthorization:Bearer canaryStompTok\npasscode:canary-pc\n\n\0';
    expect(r.text(stomp)).toBe(
      `CONNECT\naccept-version:1.2\nAuthorization:Bearer ${MASK}\npasscode:${MASK}\n\n\0`,
    );
    expect(r.text('AUTH Bearer canaryPlainBearer please')).toBe(`AUTH Bearer ${MASK} please`);
    expect(r.text('login token=canary-pair api_key=canary-k2 user=ann')).toBe(
      `login token=${MASK} api_key=${MASK} user=ann`,
    );
    expect(r.text('reconnect to wss://chat.example/ws?token=canary-frame-url now')).toBe(
      `reconnect to wss://chat.example/ws?token=${MASK} now`,
    );
    expect(r.text(`hello ${JWT}`)).toBe(`hello ${MASK}`);
    // Inside a JSON frame's strings as well.
    expect(r.text('{"cmd":"Authorization: Bearer canaryInJson","n":1}')).toBe(
      `{"cmd":"Authorization: Bearer ${MASK}","n":1}`,
    );
    // A frame with nothing secret in it is left byte for byte.
    for (const plain of ['PING 42', 'bearer of bad news: none', 'price=42&side=buy', '{"id":1, "ok": true}'])
      expect(new Redactor().text(plain), plain).toBe(plain);
  });

  it('masks credential-carrying subprotocols whatever their digits, and keeps protocol names', () => {
    const r = new Redactor();
    expect(
      r.subprotocols([
        'graphql-transport-ws',
        'access_token.abcDEF',
        'base64url.bearer.authorization.k8s.io.YWJjZGVmZ2hpams',
        'auth-abcdefghij',
        'wamp.2.json',
        'v12.stomp',
        'mqttv3.1',
        'access_token',
        'abcdefOnlyLetters',
        'Bearer',
        'xyzNoDigitsHere',
        'qWeRtYuIoPaSdFgHjKlZxC',
        'dGhpcyBpcyBhIHRva2Vu==',
      ]),
    ).toEqual([
      'graphql-transport-ws',
      `access_token.${MASK}`,
      `base64url.bearer.${MASK}`,
      `auth-${MASK}`,
      'wamp.2.json',
      'v12.stomp',
      'mqttv3.1',
      'access_token',
      MASK,
      'Bearer',
      MASK,
      MASK,
      MASK,
    ]);
    // A known protocol name after an auth-like entry is a protocol, not a token.
    expect(new Redactor().subprotocols(['access_token', 'graphql-ws'])).toEqual([
      'access_token',
      'graphql-ws',
    ]);
    expect(new Redactor().header('Sec-WebSocket-Protocol', 'access_token.abcDEF, v1.chat')).toBe(
      `access_token.${MASK}, v1.chat`,
    );
  });

  it('names what it took out, by rule, in the summary and in its sentence', () => {
    const r = new Redactor();
    r.url('wss://user:canary-pw@chat.example/ws?token=canary-t&room=1');
    r.headers({ Authorization: 'Bearer canary-h', 'X-Api-Key': 'canary-k' });
    r.text(`{"password":"canary-j","jwt":"${JWT}"}`);
    const summary = r.summary();
    expect(summary.rules).toEqual([
      { rule: 'header', count: 2, names: ['Authorization', 'X-Api-Key'] },
      { rule: 'json-field', count: 1, names: ['password'] },
      { rule: 'jwt', count: 1 },
      { rule: 'url-query', count: 1, names: ['token'] },
      { rule: 'url-userinfo', count: 1, names: ['password'] },
    ]);
    expect(redactionSentence(summary)).toMatch(
      /^Redacted 6 values \(header 2: Authorization, X-Api-Key; json-field 1: password; jwt 1; url-query 1: token; url-userinfo 1: password\)/,
    );
  });
});
