import { describe, expect, it } from 'vitest';
import {
  barLabel,
  CLASS_LABELS,
  closeClassOfCode,
  closedByLabel,
  connectionClass,
  legsLabel,
  relayCloser,
  outcomeLabel,
  wasInterrupted,
} from '../../../../shared/charts/connection-class';
import {
  abnormalDrop,
  appClose,
  connection,
  deployClose,
  rejectedUpgrade,
  userClose,
} from './session-fixture';

const opened = '2025-11-22T02:00:00.115000Z';
const closed = '2025-11-22T02:01:00.000000Z';

/** A connection the recovery closed after the recording process died (electron/engine/store/recovery.ts). */
const interrupted = connection({
  id: 21,
  ordinal: 1,
  openedAt: opened,
  closedAt: closed,
  error: {
    kind: 'other',
    message: 'capture interrupted: the recording process stopped before this connection closed',
  },
});
const stillOpen = connection({ id: 22, ordinal: 1, openedAt: opened });
const connecting = connection({ id: 23, ordinal: 1, status: null });
const refused = connection({
  id: 24,
  ordinal: 2,
  status: null,
  closedAt: closed,
  error: { kind: 'refused', message: 'connection refused by api.example.com:443' },
});

describe('closeClassOfCode', () => {
  it('sorts close codes into the classes of the legend', () => {
    const expected: Array<[number, string]> = [
      [1000, 'normal'],
      [1001, 'restart'],
      [1012, 'restart'],
      [1013, 'restart'],
      [1006, 'abnormal'],
      [1002, 'error'],
      [1005, 'error'],
      [1008, 'error'],
      [1011, 'error'],
      [1014, 'error'],
      [1015, 'error'],
      [3000, 'app'],
      [3999, 'app'],
      [4000, 'app'],
      [4001, 'app'],
      [4999, 'app'],
      [2999, 'error'],
      [5000, 'error'],
    ];
    for (const [code, cls] of expected) expect(closeClassOfCode(code), String(code)).toBe(cls);
  });
});

describe('connectionClass', () => {
  it('classifies the outage’s connections by how they ended', () => {
    expect(connectionClass(deployClose)).toBe('restart');
    expect(connectionClass(rejectedUpgrade)).toBe('failed');
    expect(connectionClass(abnormalDrop)).toBe('abnormal');
    expect(connectionClass(appClose)).toBe('app');
    expect(connectionClass(userClose)).toBe('normal');
  });

  it('tells open, still connecting and ended-without-a-code apart', () => {
    expect(connectionClass(stillOpen)).toBe('open');
    expect(connectionClass(connecting)).toBe('open');
    expect(connectionClass(refused)).toBe('failed');
    expect(connectionClass(interrupted)).toBe('unknown');
  });
});

describe('outcomeLabel', () => {
  it('names the close code', () => {
    expect(outcomeLabel(deployClose)).toBe('1001 Going Away');
    expect(outcomeLabel(abnormalDrop)).toBe('1006 Abnormal Closure');
    expect(outcomeLabel(appClose)).toBe('4001 Application-defined');
    expect(outcomeLabel(userClose)).toBe('1000 Normal Closure');
    expect(outcomeLabel({ ...userClose, closeCode: 1011 })).toBe('1011 Internal Error');
  });

  it('gives the failure of a handshake, with the HTTP status of a rejected upgrade', () => {
    expect(outcomeLabel(rejectedUpgrade)).toBe('upgrade-rejected HTTP 503');
    expect(outcomeLabel({ ...rejectedUpgrade, status: null })).toBe('upgrade-rejected');
    expect(outcomeLabel(refused)).toBe('refused');
    expect(outcomeLabel({ ...refused, status: 101 })).toBe('refused');
    expect(outcomeLabel({ ...refused, error: null })).toBe('failed');
  });

  it('says connecting, open, interrupted or closed when there is no code', () => {
    expect(outcomeLabel(connecting)).toBe('connecting');
    expect(outcomeLabel(stillOpen)).toBe('open');
    expect(outcomeLabel(interrupted)).toBe('capture interrupted');
    expect(
      outcomeLabel({ ...interrupted, error: { kind: 'reset', message: 'the peer reset the connection' } }),
    ).toBe('reset');
    expect(outcomeLabel({ ...interrupted, error: null })).toBe('closed');
  });
});

describe('wasInterrupted', () => {
  it('recognises connections closed by the recovery', () => {
    expect(wasInterrupted(interrupted)).toBe(true);
    expect(wasInterrupted(abnormalDrop)).toBe(false);
    expect(wasInterrupted(refused)).toBe(false);
    expect(wasInterrupted(stillOpen)).toBe(false);
  });

  it('trusts a close code over the message', () => {
    expect(wasInterrupted({ ...interrupted, closeCode: 1006 })).toBe(false);
  });
});

describe('barLabel', () => {
  it('fits what ended the connection on a timeline bar', () => {
    expect(barLabel(abnormalDrop)).toBe('1006');
    expect(barLabel(appClose)).toBe('4001');
    expect(barLabel(stillOpen)).toBe('open');
    expect(barLabel(interrupted)).toBe('interrupted');
    expect(barLabel(rejectedUpgrade)).toBe('upgrade-rejected');
    expect(barLabel({ ...refused, error: null })).toBe('');
  });
});

describe('closedByLabel', () => {
  it('says who ended the connection', () => {
    expect(closedByLabel(userClose)).toBe('closed by Frameline (client)');
    expect(closedByLabel(deployClose)).toBe('closed by the server');
    expect(closedByLabel(abnormalDrop)).toBe('no close frame: the connection just went away');
    expect(closedByLabel(rejectedUpgrade)).toBeNull();
  });

  it("names Frameline's relay and its fault, the real client of a relayed connection, and both legs' closes", () => {
    const relayed = { ...userClose, upstreamCloseCode: 1000, upstreamCloseReason: 'bye' };
    expect(closedByLabel(relayed)).toBe('closed by the client');
    expect(legsLabel({ ...relayed, closeCode: 1000, closeReason: null })).toBe(
      'client 1000, server 1000 "bye"',
    );
    const cut = {
      ...abnormalDrop,
      closeCode: 1006,
      closedBy: 'relay' as const,
      closeFault: 'idle-cut=30',
      upstreamCloseCode: 1006,
      upstreamCloseReason: '',
    };
    expect(closedByLabel(cut)).toBe("closed by Frameline's relay (fault idle-cut=30)");
    expect(legsLabel(cut)).toBe('client 1006, server 1006');
    expect(closedByLabel({ ...cut, closeFault: null })).toBe("closed by Frameline's relay (it stopped)");
    expect(relayCloser({ closeFault: null, error: { kind: 'protocol', message: 'masked frame' } })).toBe(
      "Frameline's relay (a peer broke the protocol)",
    );
    expect(legsLabel(userClose)).toBeNull();
  });
});

describe('CLASS_LABELS', () => {
  it('lists the legend in order', () => {
    expect(Object.entries(CLASS_LABELS)).toEqual([
      ['normal', 'normal 1000'],
      ['restart', 'restart 1001/1012/1013'],
      ['abnormal', 'abnormal 1006'],
      ['error', 'error 1002–1015'],
      ['app', 'application 3xxx/4xxx'],
      ['failed', 'handshake failed'],
      ['open', 'open'],
      ['unknown', 'ended without a close code'],
    ]);
  });
});
