// Waiting for something the app does, checked often and bounded in time: never a fixed sleep.

/** Resolves once `predicate` holds, checking every 10 ms for at most `ms`. */
export async function until(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
