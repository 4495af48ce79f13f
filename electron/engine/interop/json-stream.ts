// A streaming JSON reader: bytes go in chunk by chunk, events come out (object and array starts and
// ends, keys, values), so that a 100 MB HAR file is read with a few megabytes of memory. It keeps
// the path to where it is (`log.entries[3]._webSocketMessages[17]`) for the errors it reports and
// for whoever listens; a listener can ask for a string's value not to be kept (a response body it
// has no use for), and that string is then only scanned. The grammar is JSON's (RFC 8259).

/** A place in a JSON document: keys and array indexes from the root. */
export type JsonPath = Array<string | number>;

/** How a path reads in an error: `log.entries[3].request.url`. */
export function pathText(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(p) ? `${out ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`;
  }
  return out || 'the top level';
}

/** What the reader tells its listener, in document order. */
export interface JsonListener {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  key(name: string): void;
  value(v: string | number | boolean | null): void;
  /** Asked at the start of a string value: true when its text is not needed (it is then skipped). */
  skipString?(): boolean;
}

/** A document that is not JSON: where (byte offset and path) and what. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly path: JsonPath,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

const enum Want {
  /** A value (the document, an array element, a property's value). */
  Value,
  /** The first key of an object or its end. */
  KeyOrEnd,
  /** A key after a comma. */
  Key,
  /** The colon after a key. */
  Colon,
  /** A comma or the end of the container. */
  CommaOrEnd,
  /** The first element of an array or its end. */
  ValueOrEnd,
  /** Nothing but whitespace: the document is complete. */
  Done,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Reads a JSON document pushed to it in chunks. */
export class JsonStreamReader {
  /** Bytes read so far. */
  offset = 0;
  private want: Want = Want.Value;
  /** 'o' for an object, 'a' for an array, innermost last. */
  private readonly stack: Array<'o' | 'a'> = [];
  private readonly path: JsonPath = [];
  /** A token cut by a chunk's end: the bytes seen so far (null when skipping a string). */
  private pending: {
    kind: 'string' | 'key' | 'number' | 'literal';
    /** The bytes so far; null for a string being skipped. */
    parts: Buffer[] | null;
    escaped: boolean;
    /** Backslashes at the end of what came so far (a quote right after an odd number is escaped). */
    lastBackslashes: number;
  } | null = null;

  constructor(private readonly listener: JsonListener) {}

  /** Where the reader is, for messages. */
  where(): JsonPath {
    return [...this.path];
  }

  /** Reads the next bytes of the document. */
  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    if (this.pending) i = this.resume(chunk);
    while (i < n) {
      const b = chunk[i]!;
      if (isSpace(b)) {
        i++;
        continue;
      }
      const at = this.offset + i;
      switch (this.want) {
        case Want.Done:
          throw this.error(`unexpected ${describe(b)} after the end of the document`, at);
        case Want.Colon:
          if (b !== 0x3a) throw this.error(`expected ":" after the key, found ${describe(b)}`, at);
          this.want = Want.Value;
          i++;
          continue;
        case Want.KeyOrEnd:
        case Want.Key:
          if (b === 0x7d && this.want === Want.KeyOrEnd) {
            i++;
            this.closeObject();
            continue;
          }
          if (b !== QUOTE)
            throw this.error(
              `expected a key in quotes${this.want === Want.KeyOrEnd ? ' or "}"' : ''}, found ${describe(b)}`,
              at,
            );
          i = this.string(chunk, i + 1, 'key');
          continue;
        case Want.CommaOrEnd: {
          const top = this.stack[this.stack.length - 1];
          if (b === 0x2c) {
            this.want = top === 'o' ? Want.Key : Want.Value;
            if (top === 'a')
              this.path[this.path.length - 1] = (this.path[this.path.length - 1] as number) + 1;
            i++;
            continue;
          }
          if (b === 0x7d && top === 'o') {
            i++;
            this.closeObject();
            continue;
          }
          if (b === 0x5d && top === 'a') {
            i++;
            this.closeArray();
            continue;
          }
          throw this.error(`expected "," or "${top === 'o' ? '}' : ']'}", found ${describe(b)}`, at);
        }
        case Want.Value:
        case Want.ValueOrEnd:
          if (b === 0x5d && this.want === Want.ValueOrEnd) {
            i++;
            this.closeArray();
            continue;
          }
          if (b === 0x7b) {
            this.stack.push('o');
            this.want = Want.KeyOrEnd;
            this.path.push('');
            this.listener.startObject();
            i++;
          } else if (b === 0x5b) {
            this.stack.push('a');
            this.want = Want.ValueOrEnd;
            this.path.push(0);
            this.listener.startArray();
            i++;
          } else if (b === QUOTE) {
            i = this.string(chunk, i + 1, 'string');
          } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
            i = this.scalar(chunk, i, 'number');
          } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
            i = this.scalar(chunk, i, 'literal');
          } else throw this.error(`expected a value, found ${describe(b)}`, at);
          continue;
      }
    }
    this.offset += n;
  }

  /** Ends the document: it must be complete. */
  end(): void {
    if (this.pending) {
      const p = this.pending;
      if (p.kind === 'number' || p.kind === 'literal') {
        this.pending = null;
        this.emitScalar(Buffer.concat(p.parts!), p.kind, this.offset);
      } else throw this.error('the file ends inside a string', this.offset);
    }
    if (this.want !== Want.Done)
      throw this.error(
        this.stack.length === 0 && this.offset === 0
          ? 'the file is empty'
          : `the file ends early, inside ${this.stack[this.stack.length - 1] === 'o' ? 'an object' : 'an array'}`,
        this.offset,
      );
  }

  private error(message: string, offset: number): JsonSyntaxError {
    return new JsonSyntaxError(message, offset, this.where());
  }

  private afterValue(): void {
    this.want = this.stack.length === 0 ? Want.Done : Want.CommaOrEnd;
  }

  private closeObject(): void {
    this.stack.pop();
    this.path.pop();
    this.listener.endObject();
    this.afterValue();
  }

  private closeArray(): void {
    this.stack.pop();
    this.path.pop();
    this.listener.endArray();
    this.afterValue();
  }

  /** Reads a string that starts at `i` (after its quote); returns where reading goes on. */
  private string(chunk: Buffer, i: number, kind: 'string' | 'key'): number {
    const skip = kind === 'string' && this.listener.skipString?.() === true;
    let j = i;
    for (;;) {
      const q = chunk.indexOf(QUOTE, j);
      if (q < 0) {
        // The string goes on in the next chunk.
        this.pending = {
          kind,
          parts: skip ? null : [Buffer.from(chunk.subarray(i))],
          escaped: chunk.indexOf(BACKSLASH, i) >= 0,
          lastBackslashes: trailingBackslashes(chunk, i, chunk.length),
        };
        return Infinity;
      }
      // A quote after an odd number of backslashes belongs to the string.
      if (trailingBackslashes(chunk, i, q) % 2 === 1) {
        j = q + 1;
        continue;
      }
      const body = chunk.subarray(i, q);
      this.emitString(skip ? null : [body], body.includes(BACKSLASH), kind, this.offset + i - 1);
      return q + 1;
    }
  }

  /** Continues a token cut by the previous chunk; returns where reading goes on. */
  private resume(chunk: Buffer): number {
    const p = this.pending!;
    if (p.kind === 'number' || p.kind === 'literal') {
      let j = 0;
      while (j < chunk.length && isScalarByte(chunk[j]!)) j++;
      p.parts!.push(Buffer.from(chunk.subarray(0, j)));
      if (j === chunk.length) {
        return Infinity;
      }
      this.pending = null;
      this.emitScalar(Buffer.concat(p.parts!), p.kind, this.offset);
      return j;
    }
    let j = 0;
    for (;;) {
      const q = chunk.indexOf(QUOTE, j);
      if (q < 0) {
        p.parts?.push(Buffer.from(chunk));
        if (chunk.includes(BACKSLASH)) p.escaped = true;
        const run = trailingBackslashes(chunk, 0, chunk.length);
        p.lastBackslashes = run === chunk.length ? p.lastBackslashes + run : run;
        return Infinity;
      }
      let run = trailingBackslashes(chunk, j, q);
      // Backslashes at the very start of this chunk continue those at the end of the last one.
      if (j === 0 && run === q) run += p.lastBackslashes;
      if (run % 2 === 1) {
        p.escaped = true;
        j = q + 1;
        continue;
      }
      this.pending = null;
      const body = chunk.subarray(0, q);
      if (body.includes(BACKSLASH)) p.escaped = true;
      p.parts?.push(body);
      this.emitString(p.parts, p.escaped, p.kind as 'string' | 'key', this.offset);
      return q + 1;
    }
  }

  private emitString(parts: Buffer[] | null, escaped: boolean, kind: 'string' | 'key', at: number): void {
    let text = '';
    if (parts !== null) {
      const raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
      if (escaped) {
        try {
          text = JSON.parse(`"${raw.toString('utf8')}"`) as string;
        } catch {
          throw this.error('a string has a bad escape or a control character in it', at);
        }
      } else {
        text = raw.toString('utf8');
        // Control characters must be escaped in JSON.
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001f]/.test(text))
          throw this.error('a string has a raw control character in it (a line break?)', at);
      }
    }
    if (kind === 'key') {
      this.path[this.path.length - 1] = text;
      this.listener.key(text);
      this.want = Want.Colon;
    } else {
      this.listener.value(text);
      this.afterValue();
    }
  }

  private scalar(chunk: Buffer, i: number, kind: 'number' | 'literal'): number {
    let j = i;
    while (j < chunk.length && isScalarByte(chunk[j]!)) j++;
    if (j === chunk.length) {
      this.pending = { kind, parts: [Buffer.from(chunk.subarray(i))], escaped: false, lastBackslashes: 0 };
      return Infinity;
    }
    this.emitScalar(chunk.subarray(i, j), kind, this.offset + i);
    return j;
  }

  private emitScalar(raw: Buffer, kind: 'number' | 'literal', at: number): void {
    const text = raw.toString('latin1');
    let v: number | boolean | null;
    if (kind === 'literal') {
      if (text === 'true') v = true;
      else if (text === 'false') v = false;
      else if (text === 'null') v = null;
      else
        throw this.error(
          `"${text.slice(0, 20)}" is not a value (true, false, null, a number or a string)`,
          at,
        );
    } else {
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text))
        throw this.error(`"${text.slice(0, 30)}" is not a number`, at);
      v = Number(text);
    }
    this.listener.value(v);
    this.afterValue();
  }
}

/** How many backslashes come right before `end` (not before `from`). */
function trailingBackslashes(chunk: Buffer, from: number, end: number): number {
  let n = 0;
  for (let k = end - 1; k >= from && chunk[k] === BACKSLASH; k--) n++;
  return n;
}

function isScalarByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x2b ||
    b === 0x2e ||
    b === 0x65 ||
    b === 0x45 ||
    (b >= 0x61 && b <= 0x7a)
  );
}

function describe(b: number): string {
  return b >= 0x20 && b < 0x7f ? `"${String.fromCharCode(b)}"` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

/** Assembles plain values from reader events, one sub-tree at a time. */
export class ValueBuilder {
  private readonly stack: Array<{ node: Record<string, unknown> | unknown[]; key: string | null }> = [];
  private result: unknown = undefined;

  /** True while a value is being built. */
  get building(): boolean {
    return this.stack.length > 0;
  }

  /** The keys from the sub-tree's root to where it is now (array positions left out). */
  keys(): string[] {
    const out: string[] = [];
    for (const f of this.stack) if (f.key !== null) out.push(f.key);
    return out;
  }

  private put(v: unknown): void {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.result = v;
      return;
    }
    if (Array.isArray(top.node)) top.node.push(v);
    else top.node[top.key!] = v;
  }

  startObject(): void {
    const node: Record<string, unknown> = {};
    this.put(node);
    this.stack.push({ node, key: null });
  }

  startArray(): void {
    const node: unknown[] = [];
    this.put(node);
    this.stack.push({ node, key: null });
  }

  /** Closes the innermost container; returns the whole value when that was its root. */
  end(): unknown {
    this.stack.pop();
    if (this.stack.length > 0) return undefined;
    const v = this.result;
    this.result = undefined;
    return v;
  }

  key(name: string): void {
    this.stack[this.stack.length - 1]!.key = name;
  }

  /** A scalar; returns it when it is the whole value. */
  value(v: string | number | boolean | null): unknown {
    if (this.stack.length === 0) return v;
    this.put(v);
    return undefined;
  }
}
