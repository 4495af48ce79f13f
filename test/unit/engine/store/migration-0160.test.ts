// Migration 0160 on a copy of the schema before it: the protocol a capture was told to speak moves
// from its settings (JSON) to the session's own column, and reading the session honours it; a
// session without a choice keeps being detected.
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../../electron/engine/store/database.js';
import { sessionProtocols } from '../../../../electron/engine/sessions/protocols.js';
import { chosenProtocol, getSessionRow } from '../../../../electron/engine/sessions/session-store.js';
import { schemaBefore, tempDir } from './helpers.js';

const ENGINE_IO = 'ws://127.0.0.1:1/socket.io/?EIO=4&transport=websocket';

describe('migration 0160 (the protocol a capture was told to speak)', () => {
  it('moves settings.protocol to the session row; none reads as no protocol, no choice is detected', () => {
    const dir = tempDir('frameline-migrate-0160-');
    try {
      const path = dir.file('before.db');
      const old = schemaBefore(path, 160);
      const session = old.prepare(
        "INSERT INTO session (id, name, kind, target, settings, status, created_at) VALUES (?, ?, 'capture', ?, ?, 'complete', ?)",
      );
      session.run(1, 'plain', ENGINE_IO, '{"protocol":"none","sends":0}', 1_000_000);
      session.run(2, 'chosen', 'ws://127.0.0.1:1/rpc', '{"protocol":"json-rpc","sends":1}', 2_000_000);
      session.run(3, 'detected', ENGINE_IO, '{"protocol":null,"sends":0}', 3_000_000);
      session.run(4, 'older', ENGINE_IO, '{"sends":0}', 4_000_000);
      const connection = old.prepare(
        'INSERT INTO connection (session_id, ordinal, url, started_at) VALUES (?, 1, ?, ?)',
      );
      for (const [id, url] of [
        [1, ENGINE_IO],
        [2, 'ws://127.0.0.1:1/rpc'],
        [3, ENGINE_IO],
        [4, ENGINE_IO],
      ] as const)
        connection.run(id, url, id * 1_000_000);
      old.close();

      const db = openStore(path);
      try {
        expect([1, 2, 3, 4].map((id) => chosenProtocol(db, id))).toEqual(['none', 'json-rpc', null, null]);
        expect([1, 2, 3, 4].map((id) => JSON.parse(getSessionRow(db, id)!.settings))).toEqual([
          { sends: 0 },
          { sends: 1 },
          { sends: 0 },
          { sends: 0 },
        ]);
        const protocolOf = (id: number) =>
          sessionProtocols(db, { id, createdAt: String(id) }, 0).connections[0]!.protocol;
        // The URL says Socket.IO, but the capture was told to treat the socket as plain.
        expect(protocolOf(1)).toBeNull();
        // Nothing in the handshake or the frames says JSON-RPC: the choice does.
        expect(protocolOf(2)).toBe('json-rpc');
        expect(protocolOf(3)).toBe('socket.io');
        expect(protocolOf(4)).toBe('socket.io');
      } finally {
        db.close();
      }
    } finally {
      dir.remove();
    }
  });
});
