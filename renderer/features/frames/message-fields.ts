// The decoded message of a frame as the detail pane lists it: protocol and type first, then every
// other field the protocol filled in, under the names `show --json` gives them.
import type { ProtocolMessage } from '../../../shared/contract';

/** The message's fields as name/value rows, protocol and type first; lists joined with commas. */
export function messageFields(m: ProtocolMessage): Array<readonly [string, string]> {
  const rows: Array<readonly [string, string]> = [
    ['protocol', m.protocol],
    ['type', m.type],
  ];
  for (const [name, value] of Object.entries(m)) {
    if (name === 'protocol' || name === 'type' || value === undefined) continue;
    rows.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return rows;
}
