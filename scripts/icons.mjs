// npm run icons: draws the app icon and writes the set electron-builder packs, with no network and
// no image tool: build/icons/<size>x<size>.png (Linux), build/icon.png (1024 px), build/icon.icns
// (macOS) and build/icon.ico (Windows). The icon is the console's own look: a dark rounded square
// with a frame line — a flat wire with one frame's pulse on it. The output is committed; run this
// again only to change the icon.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { root } from './native-module.mjs';

const BACKGROUND = [0x15, 0x17, 0x1c];
const BORDER = [0x2a, 0x2e, 0x38];
const LINE = [0x4c, 0xc2, 0xff];
/** The frame line, in units of the icon's side: a wire, a pulse, the wire again. */
const PATH = [
  [0.16, 0.56],
  [0.36, 0.56],
  [0.44, 0.3],
  [0.54, 0.74],
  [0.62, 0.44],
  [0.68, 0.56],
  [0.84, 0.56],
];

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Coverage of a shape whose signed distance (in pixels, negative inside) is d. */
const cover = (d) => Math.max(0, Math.min(1, 0.5 - d));

/** RGBA pixels of the icon at `size` px. */
function draw(size) {
  const px = Buffer.alloc(size * size * 4);
  const margin = size * 0.06;
  const half = (size - 2 * margin) / 2;
  const radius = size * 0.2;
  const thickness = Math.max(1.2, size * 0.055);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5;
      const cy = y + 0.5;
      // Rounded square: signed distance from its edge.
      const qx = Math.abs(cx - size / 2) - (half - radius);
      const qy = Math.abs(cy - size / 2) - (half - radius);
      const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
      const body = cover(outside);
      const border = cover(Math.abs(outside + size * 0.012) - size * 0.012);
      let line = 0;
      for (let i = 1; i < PATH.length; i++) {
        const d = distanceToSegment(cx / size, cy / size, PATH[i - 1], PATH[i]) * size - thickness / 2;
        line = Math.max(line, cover(d));
      }
      let rgb = BACKGROUND.map((c, k) => c + (BORDER[k] - c) * border);
      rgb = rgb.map((c, k) => c + (LINE[k] - c) * line);
      const o = (y * size + x) * 4;
      px[o] = Math.round(rgb[0]);
      px[o + 1] = Math.round(rgb[1]);
      px[o + 2] = Math.round(rgb[2]);
      px[o + 3] = Math.round(255 * body);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGBA PNG of the icon at `size` px. */
export function png(size) {
  const pixels = draw(size);
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // no filter
    pixels.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** macOS .icns: PNG entries (ic07 128 … ic10 1024, ic11-ic14 the @2x ones). */
function icns(pngs) {
  const types = [
    ['icp4', 16],
    ['icp5', 32],
    ['ic07', 128],
    ['ic08', 256],
    ['ic09', 512],
    ['ic10', 1024],
    ['ic11', 32],
    ['ic12', 64],
    ['ic13', 256],
    ['ic14', 512],
  ];
  const entries = types.map(([type, size]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(pngs[size].length + 8, 4);
    return Buffer.concat([head, pngs[size]]);
  });
  const body = Buffer.concat(entries);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

/** Windows .ico with PNG-compressed entries (16 … 256). */
function ico(pngs, sizes) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // icon
  header.writeUInt16LE(sizes.length, 4);
  let offset = 6 + 16 * sizes.length;
  const dir = sizes.map((size) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(pngs[size].length, 8);
    e.writeUInt32LE(offset, 12);
    offset += pngs[size].length;
    return e;
  });
  return Buffer.concat([header, ...dir, ...sizes.map((s) => pngs[s])]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const pngs = Object.fromEntries(sizes.map((s) => [s, png(s)]));
  const dir = join(root, 'build');
  mkdirSync(join(dir, 'icons'), { recursive: true });
  for (const s of sizes) writeFileSync(join(dir, 'icons', `${s}x${s}.png`), pngs[s]);
  writeFileSync(join(dir, 'icon.png'), pngs[1024]);
  writeFileSync(join(dir, 'icon.icns'), icns(pngs));
  writeFileSync(join(dir, 'icon.ico'), ico(pngs, [16, 24, 32, 48, 64, 128, 256]));
  console.error(`icons written to ${dir}`);
}
