// The scorecard's counts on sessions recorded from the real protocol stacks (test/fixtures/diagnose):
// the protocol's own heartbeats count with the WebSocket pings, and a probe's connections are
// checks, not reconnects. The thresholds are the debugging guide's, and a value is judged exactly.
import { describe, expect, it } from 'vitest';
import { frameFacts } from '../../../../shared/diagnosis/facts.js';
import { fixtureData, readFixture } from '../../../fixtures/diagnose/fixture.js';
import {
  emptyTally,
  judgeTally,
  SCORE_THRESHOLDS,
  sessionTally,
} from '../../../../electron/engine/diagnose/scorecard.js';

const tallyOf = (name: 'socketio-healthy' | 'socketio-bare', kind: 'capture' | 'probe' = 'capture') => {
  const data = fixtureData(readFixture(name));
  return sessionTally(kind, data, frameFacts(data.connections, data.frames, data.endedAt));
};

describe('scorecard', () => {
  it("counts Engine.IO's pings and their answers as heartbeats", () => {
    const healthy = tallyOf('socketio-healthy');
    expect(healthy.beatProtocols).toEqual(['socket.io']);
    expect(healthy.beats).toBeGreaterThanOrEqual(3);
    expect(healthy.beatsAnswered).toBe(healthy.beats);
    expect(judgeTally(healthy).heartbeat).toMatchObject({
      value: 100,
      pass: true,
      evidence: `${healthy.beats} of ${healthy.beats} heartbeats answered (${healthy.beats} Engine.IO)`,
    });
    // A bare socket never answers the server's ping: the heartbeat fails on the protocol's own.
    const bare = tallyOf('socketio-bare');
    expect(bare.beatsAnswered).toBe(0);
    expect(judgeTally(bare).heartbeat).toMatchObject({ value: 0, pass: false });
  });

  it("says nothing of reconnection for a probe's connections", () => {
    expect(judgeTally(tallyOf('socketio-bare', 'probe')).reconnection).toEqual({
      value: null,
      threshold: SCORE_THRESHOLDS.reconnection,
      pass: null,
      evidence: "a probe's connections are checks, not reconnects",
    });
  });

  it('judges the exact share, not the rounded value', () => {
    // 1990 of 2000 is 99.5 % exactly: not above the threshold.
    const t = { ...emptyTally(), attempts: 2000, opened: 1990 };
    expect(judgeTally(t).connectionSuccess).toEqual({
      value: 99.5,
      threshold: 99.5,
      pass: false,
      evidence: '1990 of 2000 connections opened',
    });
    expect(judgeTally({ ...t, opened: 1991 }).connectionSuccess.pass).toBe(true);
    expect(judgeTally(emptyTally()).connectionSuccess).toMatchObject({ value: null, pass: null });
  });
});
