// The WHATWG URL classes exist in both runtimes shared/ code runs in (Node and the page), but its
// compiler options carry neither Node's nor the DOM's types: the part shared/ uses, declared once.
declare class URLSearchParams {
  constructor(init?: string | Array<[string, string]>);
  append(name: string, value: string): void;
  get(name: string): string | null;
  has(name: string): boolean;
  delete(name: string): void;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}

declare class URL {
  constructor(input: string, base?: string);
  href: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  readonly origin: string;
  readonly searchParams: URLSearchParams;
  toString(): string;
}
