// A real, small, full-able disk for storage-fault tests: a size-limited tmpfs mounted on a temporary
// folder. Mounting needs root (CI runs as root on a fresh machine); where it cannot be done the
// tests that need it report skipped with the reason.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  path: string;
  /** Fills the disk to the last byte with a filler file, then frees `leaveBytes` of it. */
  fill(leaveBytes?: number): void;
  /** Removes the filler. */
  free(): void;
  /** Bytes free now. */
  available(): number;
  unmount(): void;
}

/** Mounts a tmpfs of `mib` MiB, or returns why that is not possible here. */
export function smallDisk(mib: number): SmallDisk | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: 'a size-limited tmpfs needs Linux' };
  if (process.getuid?.() !== 0) return { unavailable: 'mounting a size-limited tmpfs needs root' };
  const path = mkdtempSync(join(tmpdir(), 'frameline-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', path], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(path, { recursive: true, force: true });
    return { unavailable: `mount -t tmpfs failed: ${(r.stderr || r.error?.message || '').trim()}` };
  }
  const filler = join(path, 'filler');
  const available = () => {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  };
  return {
    path,
    available,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'a');
      const chunk = Buffer.alloc(1 << 20, 0x5a);
      try {
        for (;;) {
          const room = available();
          if (room === 0) break;
          writeSync(fd, chunk, 0, Math.min(chunk.length, room));
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      if (leaveBytes > 0) truncateSync(filler, Math.max(0, statSync(filler).size - leaveBytes));
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
