// The attach form as the commands an engineer already has: wscat, websocat, curl; and what of the
// form survives a reload (everything but secret header values).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRAFT,
  sendLines,
  toCaptureRequest,
  type AttachDraft,
} from '../../../../../renderer/features/attach/attach-draft';
import {
  dropsSecrets,
  isSecretHeader,
  storableDraft,
} from '../../../../../renderer/features/attach/attach-memory';
import { commandFor } from '../../../../../renderer/features/attach/copy-as';

const draft: AttachDraft = {
  ...DEFAULT_DRAFT,
  url: 'wss://api.example.com/stream?v=2&compact=1',
  headers: [
    { id: 1, name: 'Authorization', value: "Bearer it's-secret" },
    { id: 2, name: 'X-Team', value: 'prices' },
  ],
  origin: 'https://app.example.com',
  subprotocols: 'graphql-transport-ws, v2',
  insecure: true,
};

describe('copy as a command', () => {
  it('wscat: quoted URL and headers, origin and each subprotocol, no certificate check', () => {
    expect(commandFor('wscat', draft)).toBe(
      "wscat -c 'wss://api.example.com/stream?v=2&compact=1' -H 'Authorization: Bearer it'\\''s-secret' -H 'X-Team: prices' -o https://app.example.com -s graphql-transport-ws -s v2 --no-check",
    );
  });

  it('websocat: headers, origin, the subprotocols as one list, -k', () => {
    expect(commandFor('websocat', draft)).toBe(
      "websocat -H='Authorization: Bearer it'\\''s-secret' -H='X-Team: prices' --origin https://app.example.com --protocol 'graphql-transport-ws, v2' -k 'wss://api.example.com/stream?v=2&compact=1'",
    );
  });

  it('curl: the upgrade itself, over https for wss', () => {
    const curl = commandFor('curl', draft);
    expect(curl.split(' \\\n')).toEqual([
      'curl -i -N --http1.1 -k',
      "  -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13'",
      "  -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='",
      "  -H 'Authorization: Bearer it'\\''s-secret' -H 'X-Team: prices'",
      "  -H 'Origin: https://app.example.com' -H 'Sec-WebSocket-Protocol: graphql-transport-ws, v2'",
      "  'https://api.example.com/stream?v=2&compact=1'",
    ]);
  });
});

describe('messages sent on open', () => {
  it('are the non-blank lines, sent again at the interval when one is given', () => {
    expect(sendLines('{"op":"sub"}\n\n  \n{"op":"snap"}\r\n')).toEqual(['{"op":"sub"}', '{"op":"snap"}']);
    const { request } = toCaptureRequest({ ...draft, sends: '{"op":"sub"}\n', sendEveryS: '30' });
    expect(request).toMatchObject({ sends: ['{"op":"sub"}'], sendEverySeconds: 30 });
  });

  it('refuse an interval with nothing to send', () => {
    const { request, errors } = toCaptureRequest({ ...draft, sends: '', sendEveryS: '30' });
    expect(request).toBeNull();
    expect(errors.sendEveryS).toMatch(/nothing to send again/);
  });
});

describe('what a reload keeps', () => {
  it('keeps header names and ordinary values, never a credential', () => {
    for (const name of ['Authorization', 'cookie', 'X-Api-Key', 'x-auth-token', 'Proxy-Authorization'])
      expect(isSecretHeader(name)).toBe(true);
    expect(isSecretHeader('X-Team')).toBe(false);
    expect(storableDraft(draft).headers.map((h) => [h.name, h.value])).toEqual([
      ['Authorization', ''],
      ['X-Team', 'prices'],
    ]);
    expect(dropsSecrets(draft)).toBe(true);
  });

  it('keeps no certificate or key file: they are chosen again', () => {
    const pem = (name: string) => ({ name, text: `-----BEGIN X-----\n${name}\n-----END X-----\n` });
    const withFiles = { ...draft, ca: pem('ca.pem'), cert: pem('client.pem'), key: pem('client.key') };
    const stored = JSON.stringify(storableDraft(withFiles));
    expect(stored).not.toContain('BEGIN');
    expect(storableDraft(withFiles)).toMatchObject({ ca: null, cert: null, key: null });
    // Copy as: the command line reads the files by name (adjust the path).
    expect(commandFor('wscat', withFiles)).toContain('--ca ca.pem --cert client.pem --key client.key');
  });
});
