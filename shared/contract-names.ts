// The contract's names without its schemas: every request channel (`domain:verb`) and every push
// topic. They are all the desktop preload needs and all it carries: scripts/build-preload.mjs puts
// these two lists into the bundle as plain data, computed from the contract when the preload is
// built, so the sandboxed preload holds no schema library. What crosses the bridge is checked where
// it arrives: a request by the engine, an answer by the page (renderer/api/api.ts).
import { channels, topics, type Topic } from './contract.js';

/** Every request channel of the contract, `domain:verb`. */
export const channelNames: readonly string[] = channels().map((c) => c.name);

/** Every push topic of the contract. */
export const topicNames: readonly Topic[] = Object.keys(topics) as Topic[];
