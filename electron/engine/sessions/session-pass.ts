// What the passes over a whole session share (the message index, payload searches): they read a
// slice of frames per turn of the event loop, and keep one small number per frame, by seq.

/** The next turn of the event loop: requests that arrived meanwhile are answered first. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The seqs 1..upto whose frame passes `test` (called with seq - 1), in order. */
export function seqsWhere(upto: number, test: (i: number) => boolean): Uint32Array {
  let n = 0;
  for (let i = 0; i < upto; i++) if (test(i)) n++;
  const seqs = new Uint32Array(n);
  n = 0;
  for (let i = 0; i < upto; i++) if (test(i)) seqs[n++] = i + 1;
  return seqs;
}
