// A `frameline capture` run through the built command, read back as a user would: `show --frames`
// for the connections and frames, and the session's events from the service.
import { expect } from 'vitest';
import type { FrameRecord } from '../../shared/contract.js';
import { FramelineService } from '../../electron/engine/service.js';
import { cliJson } from './cli.js';
import { callService } from './service.js';
import type { ShowJson } from './session-json.js';

export type Shown = ShowJson & {
  events: Array<{ kind: string; connection: number | null; detail: unknown }>;
};

/** Runs the capture into `db`, then reads it back as `show --frames` prints it, with the session's events. */
export async function captured(
  db: string,
  args: string[],
): Promise<{ code: number | null; stderr: string; data: Shown }> {
  const { result, json } = await cliJson<ShowJson>(['capture', ...args, '--db', db]);
  const shown = await cliJson<ShowJson>(['show', String(json.session.id), '--frames', '--db', db]);
  expect(shown.result.code).toBe(0);
  const service = new FramelineService({ dbPath: db, shell: 'browser' });
  try {
    const { events } = await callService<Pick<Shown, 'events'>>(service, 'sessions:get', {
      id: json.session.id,
    });
    return { code: result.code, stderr: result.stderr, data: { ...shown.json, events } };
  } finally {
    await service.close();
  }
}

/** The payloads of the text frames one way. */
export const texts = (frames: FrameRecord[] | undefined, direction: 'in' | 'out') =>
  (frames ?? []).filter((f) => f.direction === direction && f.opcode === 'text').map((f) => f.payload);
