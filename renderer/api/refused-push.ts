// Where the page says that a push broke the contract: the contract's check (shared/contract.ts)
// keeps it from every listener, and this leaves the reason in the console's log for whoever debugs it.

/** Logs a push refused for its shape (or a subscription to a topic the contract does not have). */
export function reportRefusedPush(message: string): void {
  console.error(`Frameline: ${message}`);
}
