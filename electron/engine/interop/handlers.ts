// `interop:*`: HAR files the console uploads in pieces and imports, and sessions written as HAR or
// NDJSON for the console to read back in pieces. The pieces live in a folder of this engine's own,
// removed when it closes. Hosts other than browser mode (the command line) may also name files on
// this machine: a HAR file imported straight from one, a session exported straight to one.
import { randomUUID } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DomainSetup, EngineContext } from '../context.js';
import {
  ForbiddenError,
  InputError,
  ioFailure,
  MissingError,
  StorageFault,
  storageAdvice,
} from '../errors.js';
import { INTEROP_FORMATS } from './exports.js';
import { checkHar, importHar, type ImportHooks } from './har-import.js';
import { importPcap } from './pcap-import.js';

/** The largest file the console may upload. */
const MAX_UPLOAD_BYTES = 4 * 1024 * 1024 * 1024;

interface Upload {
  path: string;
  fileName: string;
  bytes: number;
}

/** What the host lets requests do: name files on this machine (every host but browser mode). */
export interface InteropOptions {
  localFiles: boolean;
}

/** Wires the interop domain. */
export function setupInterop(
  ctx: EngineContext,
  options: InteropOptions = { localFiles: false },
): DomainSetup<'interop'> {
  let dir: string | null = null;
  const folder = () => (dir ??= mkdtempSync(join(tmpdir(), 'frameline-interop-')));
  const uploads = new Map<string, Upload>();
  const exports = new Map<string, { path: string; bytes: number }>();
  /**
   * Pushes an import's progress under `id`: each hundredth of a phase (of the file's bytes, or of the
   * frames to commit) once, and its end — never more than a hundred and some pushes an import, and
   * the same ones however fast the machine is.
   */
  const progressOf = (id: string): ImportHooks['onProgress'] => {
    let last = '';
    return (p) => {
      const step = `${p.phase} ${p.total > 0 ? Math.floor((p.done / p.total) * 100) : Math.floor(p.done / (1 << 24))}`;
      if (step === last) return;
      last = step;
      ctx.push('interop:progress', { uploadId: id, ...p });
    };
  };
  const drop = (id: string) => {
    const u = uploads.get(id) ?? exports.get(id);
    if (u) rmSync(u.path, { force: true });
    uploads.delete(id);
    exports.delete(id);
  };
  return {
    handlers: {
      interop: {
        upload: (r) => {
          const data = Buffer.from(r.data, 'base64');
          let upload = r.uploadId === undefined ? undefined : uploads.get(r.uploadId);
          if (r.uploadId !== undefined && !upload)
            throw new MissingError(`no upload ${r.uploadId}; start the upload again`);
          const uploadId = r.uploadId ?? randomUUID();
          if (!upload) {
            if (r.offset !== 0) throw new InputError('an upload starts at offset 0');
            upload = { path: join(folder(), `upload-${uploadId}`), fileName: r.fileName, bytes: 0 };
            writeFileSync(upload.path, '');
            uploads.set(uploadId, upload);
          }
          if (r.offset !== upload.bytes)
            throw new InputError(
              `piece at offset ${r.offset} out of order: the upload has ${upload.bytes} bytes`,
            );
          if (upload.bytes + data.length > MAX_UPLOAD_BYTES)
            throw new InputError('the file is larger than 4 GiB; import it with "frameline import FILE"');
          appendFileSync(upload.path, data);
          upload.bytes += data.length;
          return { uploadId, bytes: upload.bytes };
        },
        import: async (r) => {
          const upload = uploads.get(r.uploadId);
          if (!upload) throw new MissingError(`no upload ${r.uploadId}; upload the file again`);
          try {
            return await importHar(
              ctx,
              {
                path: upload.path,
                fileName: upload.fileName,
                ...(r.name !== undefined ? { name: r.name } : {}),
              },
              { onProgress: progressOf(r.uploadId) },
            );
          } finally {
            drop(r.uploadId);
          }
        },
        importFile: async (r) => {
          if (!options.localFiles)
            throw new ForbiddenError(
              'a page may not have the engine read a file on this machine; send the file with interop:upload and import it with interop:import',
            );
          const hooks = r.progressId !== undefined ? { onProgress: progressOf(r.progressId) } : {};
          // The whole file is checked before the database is touched: a refused file creates
          // nothing, not even the database of a host that opens it on first use.
          const plan = await checkHar({ path: r.path }, hooks);
          return importHar(
            ctx,
            { path: r.path, ...(r.name !== undefined ? { name: r.name } : {}) },
            hooks,
            plan,
          );
        },
        importPcap: async (r) => {
          if (!options.localFiles)
            throw new ForbiddenError('a page may not have the engine read a file on this machine');
          const hooks = r.progressId !== undefined ? { onProgress: progressOf(r.progressId) } : {};
          return importPcap(
            ctx,
            {
              path: r.path,
              ...(r.keylog !== undefined ? { keylog: r.keylog } : {}),
              ...(r.name !== undefined ? { name: r.name } : {}),
            },
            hooks,
          );
        },
        export: async (r) => {
          const exportId = randomUUID();
          const path = join(folder(), `export-${exportId}`);
          let summary;
          try {
            summary = await INTEROP_FORMATS[r.format].write(
              ctx,
              { sessionId: r.sessionId, redaction: r.redaction },
              path,
            );
          } catch (err) {
            // A full disk is no mistake in the request: the half-written file goes, and the answer says so.
            const io = ioFailure(err);
            if (io === null) throw err;
            rmSync(path, { force: true });
            throw new StorageFault(
              `cannot write the export to a scratch file in ${tmpdir()}: ${io}; nothing was exported; ${storageAdvice(err)}`,
            );
          }
          exports.set(exportId, { path, bytes: statSync(path).size });
          return { exportId, ...summary };
        },
        exportFile: async (r) => {
          if (!options.localFiles)
            throw new ForbiddenError(
              'a page may not have a file written on this machine; export with interop:export and save what interop:read gives',
            );
          const dest = resolve(r.path);
          try {
            return await INTEROP_FORMATS[r.format].write(
              ctx,
              { sessionId: r.sessionId, redaction: r.redaction },
              dest,
            );
          } catch (err) {
            const io = ioFailure(err);
            if (io !== null) {
              rmSync(dest, { force: true });
              throw new StorageFault(
                `cannot write ${r.path}: ${io}; the partial file was removed; ${storageAdvice(err)}`,
              );
            }
            const code = (err as NodeJS.ErrnoException).code;
            if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
              throw new InputError(
                `cannot write ${r.path} (${code}); check the folder exists and is writable`,
              );
            throw err;
          }
        },
        read: (r) => {
          const e = exports.get(r.exportId);
          if (!e) throw new MissingError(`no export ${r.exportId}; export the session again`);
          const length = Math.max(0, Math.min(r.length, e.bytes - r.offset));
          const buf = Buffer.alloc(length);
          const fd = openSync(e.path, 'r');
          try {
            let got = 0;
            while (got < length) {
              const n = readSync(fd, buf, got, length - got, r.offset + got);
              if (n <= 0) break;
              got += n;
            }
          } finally {
            closeSync(fd);
          }
          return { data: buf.toString('base64'), done: r.offset + length >= e.bytes };
        },
        discard: (r) => {
          drop(r.id);
          return { ok: true as const };
        },
      },
    },
    close: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = null;
    },
  };
}
