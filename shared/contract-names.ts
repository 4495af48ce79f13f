// The contract's names without its schemas: every request channel (`domain:verb`), every push
// topic, and the two IPC channels the desktop app carries pushes on. They are all the desktop
// preload needs and all it carries: scripts/build-preload.mjs puts these exports into the bundle as
// plain data, computed from the contract when the preload is built, so the sandboxed preload holds
// no schema library. Main's IPC binding (electron/main/ipc.ts) uses the same names. What crosses
// the bridge is checked where it arrives: a request by the engine, an answer and a push by the page
// (shared/contract.ts's buildResultApi, used by renderer/api/).
import { channels, topics, type Topic } from './contract.js';

/** Every request channel of the contract, `domain:verb`. */
export const channelNames: readonly string[] = channels().map((c) => c.name);

/** Every push topic of the contract. */
export const topicNames: readonly Topic[] = Object.keys(topics) as Topic[];

/** Desktop IPC, preload → main, once: the page listens to pushes, main may stop holding them. */
export const READY_CHANNEL = 'frameline:ready';

/** Desktop IPC, main → preload: one push, sent as (topic, payload). */
export const PUSH_CHANNEL = 'frameline:push';
