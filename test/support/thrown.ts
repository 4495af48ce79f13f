// The error a call throws, to assert on its class and its words; a call that returns fails the test.
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to throw');
}
