// Reads a HAR file as a stream: each entry of `log.entries` as a plain object (without its
// WebSocket messages, and without response or request bodies, which can be megabytes and are of no
// use here), and each of its `_webSocketMessages` one by one. A 100 MB file is read in chunks of
// 1 MiB with flat memory; a file that is not JSON or not a HAR gets one sentence that says where.
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { InputError } from '../errors.js';
import { openUserFile } from '../files.js';
import {
  JsonStreamReader,
  JsonSyntaxError,
  pathText,
  ValueBuilder,
  type JsonListener,
} from './json-stream.js';

/** What a reading of a HAR file calls back with. */
export interface HarVisitor {
  /** An entry without its messages (counted), when it ends; only when entries are asked for. */
  entry?(index: number, entry: Record<string, unknown>, messages: number): void;
  /** A WebSocket message of an entry, in order. */
  message?(entry: number, index: number, message: unknown): void;
  /** `log.creator`: who wrote the file. */
  creator?(creator: unknown): void;
}

export interface HarReadOptions {
  /** Build each entry's object (the metadata pass); without, only messages are read. */
  entries?: boolean;
  /** Bytes read so far, every few megabytes. */
  onProgress?: (bytes: number, total: number) => void;
}

/** A HAR file that cannot be imported: the message says what and where (its JSON path). */
export class HarError extends InputError {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'HarError';
  }
}

type Role =
  | 'root'
  | 'log'
  | 'entries'
  | 'entry'
  | 'entry-part'
  | 'messages'
  | 'message'
  | 'message-part'
  | 'creator'
  | 'skip';

/** Bodies of requests and responses: never needed here. */
const BODIES = new Set(['response/content/text', 'request/postData/text', 'request/postData/params']);

class HarListener implements JsonListener {
  private readonly roles: Role[] = [];
  private readonly keys: Array<string | null> = [];
  private entryIndex = -1;
  private messageIndex = -1;
  private readonly entry = new ValueBuilder();
  private readonly message = new ValueBuilder();
  private readonly creator = new ValueBuilder();
  sawLog = false;
  sawEntries = false;

  constructor(
    private readonly reader: () => JsonStreamReader,
    private readonly visitor: HarVisitor,
    private readonly wantEntries: boolean,
  ) {}

  /** Fails at where the reader is; `opening` a container, at that container (not inside it). */
  private fail(what: string, opening = false): never {
    const where = this.reader().where();
    const path = pathText(opening ? where.slice(0, -1) : where);
    throw new HarError(`${path} ${what}`, path);
  }

  private get top(): Role | undefined {
    return this.roles[this.roles.length - 1];
  }

  private get currentKey(): string | null {
    return this.keys[this.keys.length - 1] ?? null;
  }

  /** The role of a container opening here. */
  private roleOf(kind: 'object' | 'array'): Role {
    const parent = this.top;
    const key = this.currentKey;
    switch (parent) {
      case undefined:
        if (kind !== 'object')
          this.fail('is an array; a HAR file is an object: {"log": {"entries": [...]}}', true);
        return 'root';
      case 'root':
        if (key !== 'log') return 'skip';
        if (kind !== 'object') this.fail('must be an object with "entries"', true);
        this.sawLog = true;
        return 'log';
      case 'log':
        if (key === 'entries') {
          if (kind !== 'array') this.fail('must be an array of entries', true);
          this.sawEntries = true;
          return 'entries';
        }
        return key === 'creator' ? 'creator' : 'skip';
      case 'entries':
        if (kind !== 'object') this.fail('must be an object (an entry)', true);
        this.entryIndex++;
        this.messageIndex = -1;
        return 'entry';
      case 'entry':
        if (key === '_webSocketMessages') {
          if (kind !== 'array') this.fail('must be an array of messages', true);
          return 'messages';
        }
        return this.wantEntries ? 'entry-part' : 'skip';
      case 'entry-part':
        return 'entry-part';
      case 'messages':
        if (kind !== 'object') this.fail('must be an object with type, time, opcode and data', true);
        this.messageIndex++;
        return 'message';
      case 'message':
      case 'message-part':
        return 'message-part';
      case 'creator':
        return 'creator';
      case 'skip':
        return 'skip';
    }
  }

  private builderFor(role: Role): ValueBuilder | null {
    if (role === 'entry') return this.wantEntries ? this.entry : null;
    if (role === 'entry-part') return this.entry;
    if (role === 'message' || role === 'message-part') return this.message;
    if (role === 'creator') return this.creator;
    return null;
  }

  private open(kind: 'object' | 'array'): void {
    const role = this.roleOf(kind);
    const builder = this.builderFor(role);
    if (builder) {
      if (kind === 'object') builder.startObject();
      else builder.startArray();
    }
    this.roles.push(role);
    this.keys.push(null);
  }

  private close(): void {
    const role = this.roles.pop()!;
    this.keys.pop();
    const builder = this.builderFor(role);
    if (!builder) return;
    const done = builder.end();
    if (done === undefined) return;
    if (role === 'entry')
      this.visitor.entry?.(this.entryIndex, done as Record<string, unknown>, this.messageIndex + 1);
    else if (role === 'message') this.visitor.message?.(this.entryIndex, this.messageIndex, done);
    else if (role === 'creator') this.visitor.creator?.(done);
  }

  startObject(): void {
    this.open('object');
  }
  startArray(): void {
    this.open('array');
  }
  endObject(): void {
    this.close();
  }
  endArray(): void {
    this.close();
  }

  key(name: string): void {
    this.keys[this.keys.length - 1] = name;
    const role = this.top!;
    if (role === 'entry' && name === '_webSocketMessages') return;
    this.builderFor(role)?.key(name);
  }

  value(v: string | number | boolean | null): void {
    const role = this.top;
    switch (role) {
      case undefined:
        this.fail('is not an object; a HAR file is {"log": {"entries": [...]}}');
        break;
      case 'root':
        if (this.currentKey === 'log') this.fail('must be an object with "entries"');
        return;
      case 'log':
        if (this.currentKey === 'entries') this.fail('must be an array of entries');
        return;
      case 'entries':
        this.fail('must be an object (an entry)');
        break;
      case 'messages':
        this.fail('must be an object with type, time, opcode and data');
        break;
      case 'entry':
        if (this.currentKey === '_webSocketMessages') this.fail('must be an array of messages');
        if (this.wantEntries) this.entry.value(v);
        return;
      case 'skip':
        return;
      default:
        this.builderFor(role)!.value(v);
    }
  }

  skipString(): boolean {
    const role = this.top;
    if (role === 'skip' || role === 'root' || role === 'log') return true;
    if (role === 'entry' || role === 'entry-part') {
      if (!this.wantEntries) return true;
      return BODIES.has(this.entry.keys().join('/'));
    }
    return false;
  }
}

/** Line and column (1-based) of a byte offset of a file, for a syntax error. */
function lineAndColumn(path: string, offset: number): { line: number; column: number } {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let line = 1;
    let lastBreak = -1;
    let pos = 0;
    while (pos < offset) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, offset - pos), pos);
      if (n <= 0) break;
      for (let i = 0; i < n; i++)
        if (buf[i] === 0x0a) {
          line++;
          lastBreak = pos + i;
        }
      pos += n;
    }
    return { line, column: offset - lastBreak };
  } finally {
    closeSync(fd);
  }
}

/** Reads a HAR file, calling back with its entries and messages; HarError when it is not a HAR. */
export async function readHar(
  path: string,
  visitor: HarVisitor,
  options: HarReadOptions = {},
): Promise<void> {
  // A regular file, read as far as its size when opened: a device or a pipe is refused, and a file
  // that grows meanwhile is read as it was.
  const { fd, size: total } = openUserFile(path, 'the HAR file');
  let reader: JsonStreamReader | null = null;
  const listener: HarListener = new HarListener(() => reader!, visitor, options.entries ?? false);
  reader = new JsonStreamReader(listener);
  let reported = 0;
  // The stream owns the descriptor once made: it closes it at the end, or when the loop stops early.
  let owned = false;
  try {
    if (total > 0) {
      const stream = createReadStream(path, { fd, start: 0, end: total - 1, highWaterMark: 1 << 20 });
      owned = true;
      for await (const chunk of stream) {
        reader.write(chunk as Buffer);
        if (options.onProgress && reader.offset - reported >= 4 << 20) {
          reported = reader.offset;
          options.onProgress(reader.offset, total);
        }
      }
    }
    reader.end();
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      const { line, column } = lineAndColumn(path, err.offset);
      const where = pathText(err.path);
      throw new HarError(`not JSON at line ${line}, column ${column} (in ${where}): ${err.message}`, where);
    }
    throw err;
  } finally {
    if (!owned) closeSync(fd);
  }
  if (!listener.sawLog)
    throw new HarError('the file has no "log": a HAR file is {"log": {"entries": [...]}}', '');
  if (!listener.sawEntries) throw new HarError('log has no "entries" array', 'log');
  options.onProgress?.(total, total);
}
