// WHATWG TextDecoder and TextEncoder exist in both runtimes shared/ code runs in (Node and the page); shared/'s
// compiler options carry neither Node's nor the DOM's types: the part shared/ uses, declared once.
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

// Base64 as binary strings, as both runtimes have it (a binary message of a load-test script).
declare function atob(data: string): string;
declare function btoa(data: string): string;
