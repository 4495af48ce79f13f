// The probe form's request carries the attach form's Protocol fieldset as a capture's would.
import { describe, expect, it } from 'vitest';
import {
  consoleWords,
  DEFAULT_PROBE_DRAFT,
  probeSummary,
  toProbeRequest,
} from '../../../../../renderer/features/diagnose/probe-draft';

const URL = 'ws://127.0.0.1:9/graphql';

describe('toProbeRequest with a protocol', () => {
  it('sends the protocol and the init payload as trimmed, and nothing when none was chosen', () => {
    const { request } = toProbeRequest(
      URL,
      { ...DEFAULT_PROBE_DRAFT, protocol: 'graphql-ws', initPayload: ' {"token":"t0k"} ' },
      'run-1',
    );
    expect(request).toMatchObject({ protocol: 'graphql-ws', initPayload: '{"token":"t0k"}' });
    const plain = toProbeRequest(URL, DEFAULT_PROBE_DRAFT, 'run-2').request!;
    expect('protocol' in plain || 'initPayload' in plain).toBe(false);
  });

  it('refuses an init payload that is not JSON, and one given to a plain socket', () => {
    const bad = toProbeRequest(
      URL,
      { ...DEFAULT_PROBE_DRAFT, protocol: 'stomp', initPayload: 'login=a' },
      'r',
    );
    expect(bad.request).toBeNull();
    expect(bad.errors.initPayload).toMatch(/^The init payload is not JSON/);
    const plain = toProbeRequest(URL, { ...DEFAULT_PROBE_DRAFT, protocol: 'none', initPayload: '{}' }, 'r');
    expect(plain.errors.protocol).toMatch(/^A plain socket speaks no protocol/);
  });

  it('says the protocol in the summary, and the engine’s flags in the form’s words', () => {
    expect(probeSummary({ ...DEFAULT_PROBE_DRAFT, protocol: 'socket.io', initPayload: '{}' })).toMatch(
      /speaks socket\.io · init payload$/,
    );
    expect(consoleWords('--init-payload is not JSON')).toBe('The init payload is not JSON');
  });
});
