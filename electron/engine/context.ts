// What every domain of the engine works with: the open database, where it lives, and the way to
// push to whoever listens. The service makes one for every host (the console's and the command
// line's); the tests and benchmarks that drive a domain function directly open one of their own.
import type {
  Contract,
  Domain,
  ParsedRequestOf,
  PayloadOf,
  ResponseOf,
  Topic,
} from '../../shared/contract.js';
import { databasePath, openStore, type Db, type OpenOptions } from './store/database.js';

export interface EngineContext {
  readonly db: Db;
  /** Where the database is (its real path, symbolic links resolved): its -frames folder lies beside it. */
  readonly dbPath: string;
  /** Sends a push topic to whoever subscribed to the service (the console, the command line). */
  push<T extends Topic>(topic: T, payload: PayloadOf<T>): void;
}

/** The handlers of one domain: one function per verb, over validated requests. */
export type DomainHandlers<D extends Domain> = {
  [V in keyof Contract[D]]: (request: ParsedRequestOf<D, V>) => ResponseOf<D, V> | Promise<ResponseOf<D, V>>;
};

/**
 * A domain of the engine as the service wires it: the handlers of the contract domains it answers
 * (the incidents domain answers `incidents:*`, `runbooks:*` and `walks:*`), and what it stops when
 * the engine closes.
 */
export interface DomainSetup<D extends Domain> {
  handlers: { [K in D]: DomainHandlers<K> };
  close?: () => Promise<void> | void;
}

/**
 * Opens the database and gives a context with no listener, for the tests and benchmarks that call
 * a domain function directly; every host goes through the service instead.
 */
export function openEngine(dbPath: string, options: OpenOptions = {}): EngineContext & { close(): void } {
  const db = openStore(dbPath, options);
  return { db, dbPath: databasePath(db), push: () => {}, close: () => db.close() };
}
