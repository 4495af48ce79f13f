// Calling the engine's contract the way both shells do, for tests of FramelineService.
import type { Result } from '../../shared/contract.js';
import type { FramelineService } from '../../electron/engine/service.js';

/** Sends one request and returns its value, or throws with the engine's code and sentence. */
export async function callService<T = unknown>(
  service: FramelineService,
  channel: string,
  payload: unknown,
): Promise<T> {
  const r = (await service.handle(channel, payload)) as Result<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}
