// The checksum of a stored payload: CRC-32 (the ISO-HDLC one of zip, gzip and PNG). It is there to
// tell bytes that changed on disk (bit rot, a bad sector, a stray write) from the bytes recorded, not
// to resist someone who forges them, so a fast non-cryptographic sum is right: Node's zlib computes
// it at several GB/s where it has it (20.15 and later, 22.2 and later), and a table otherwise.
import * as zlib from 'node:zlib';

let table: Uint32Array | null = null;

/** CRC-32 by a 256-entry table: the same values as zlib's, for runtimes without zlib.crc32. */
export function crc32Table(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The CRC-32 of a payload, as an unsigned 32-bit number. */
export const crc32: (data: Uint8Array) => number =
  typeof native === 'function' ? (data) => native(data) : crc32Table;
