// The protocol stacks' own libraries, installed for the tests (never project dependencies) by
// .ci/protocol-tools into $FRAMELINE_TEST_TOOLS/protocols at the versions test/tools/protocols.txt
// pins: real Socket.IO and graphql-ws servers, MQTT and STOMP clients, and the client libraries
// whose frames the decoders are tested on.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TEST_TOOLS =
  process.env.FRAMELINE_TEST_TOOLS ?? join(homedir(), '.cache', 'frameline-test-tools');
const PROTOCOLS = join(TEST_TOOLS, 'protocols');
const requireTool = createRequire(join(PROTOCOLS, 'package.json'));

/** The package a module name is in (`graphql-ws/use/ws` is in `graphql-ws`). */
function packageOf(name: string): string {
  return name
    .split('/')
    .slice(0, name.startsWith('@') ? 2 : 1)
    .join('/');
}

/**
 * Why a protocol tool cannot be loaded, in a sentence a skipped test reports; null when it can.
 * `name` is a package name of test/tools/protocols.txt, or a module of one (`graphql-ws/use/ws`).
 */
export function protocolToolMissing(name: string): string | null {
  const pkg = packageOf(name);
  if (!existsSync(join(PROTOCOLS, 'node_modules', pkg, 'package.json')))
    return `${pkg} is not installed in ${PROTOCOLS} (run .ci/protocol-tools; CI does)`;
  return null;
}

/**
 * Loads a protocol tool (CommonJS entry) from the test-tools cache folder; `subpath` names one of
 * its package's exports (`use/ws` of graphql-ws).
 */
export function protocolTool<T = unknown>(name: string, subpath?: string): T {
  const missing = protocolToolMissing(name);
  if (missing) throw new Error(missing);
  return requireTool(subpath ? `${name}/${subpath}` : name) as T;
}

/** Imports a protocol tool that is an ES module (or whose ESM entry is wanted) from the cache folder. */
export async function importProtocolTool<T = unknown>(name: string): Promise<T> {
  const missing = protocolToolMissing(name);
  if (missing) throw new Error(missing);
  return (await import(requireTool.resolve(name))) as T;
}
