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

/** Sends one request that must fail, and returns the engine's code and sentence. */
export async function failedCall(
  service: FramelineService,
  channel: string,
  payload: unknown,
): Promise<{ code: string; message: string }> {
  const r = await service.handle(channel, payload);
  if (r.ok) throw new Error(`${channel} succeeded, but a failure was expected: ${JSON.stringify(r.value)}`);
  return r.error;
}
