// A walk's connection profile: stored with the walk without its secrets, which this process holds in
// memory (as the Attach screen holds a token: never in storage) or reads from the environment (as a
// load-test export reads them). Each action resolves the profile it connects with: the walk's, then
// the step's own settings, then the run's.
import {
  ConnectionProfileSchema,
  type ConnectionProfile,
  type ProfileSecret,
  type WalkProfileView,
} from '../../../shared/contract/walk-profile.js';
import type { StepAction } from '../../../shared/runbooks/schemas.js';
import { isSecretName, MASK } from '../../../shared/redaction.js';
import { InputError } from '../errors.js';
import { needsSecret } from './errors.js';

/** Where a secret of a profile goes: a credential header's value, the protocol's opening, the client key. */
interface Slot {
  slot: string;
  what: string;
  env: string;
  /** How a command line gives it for one run. */
  flag: string;
}

const upperSnake = (name: string) =>
  name
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase();

function headerSlot(name: string): Slot {
  return {
    slot: `header:${name.toLowerCase()}`,
    what: `the ${name} header`,
    env: `FRAMELINE_${upperSnake(name)}`,
    flag: `-H "${name}: …"`,
  };
}

const INIT_PAYLOAD: Slot = {
  slot: 'initPayload',
  what: 'the init payload',
  env: 'FRAMELINE_INIT_PAYLOAD',
  flag: '--init-payload',
};
const CLIENT_KEY: Slot = {
  slot: 'keyPem',
  what: 'the client key',
  env: 'FRAMELINE_TLS_KEY',
  flag: '--key FILE',
};

/** The secrets of a profile, in order. */
function slotsOf(p: ConnectionProfile): Slot[] {
  return [
    ...p.headers.filter(([name]) => isSecretName(name)).map(([name]) => headerSlot(name)),
    ...(p.initPayload !== undefined ? [INIT_PAYLOAD] : []),
    ...(p.keyPem !== undefined ? [CLIENT_KEY] : []),
  ];
}

/** True when the profile says nothing beyond the URL. */
function isEmpty(p: ConnectionProfile): boolean {
  const blank = ConnectionProfileSchema.parse({});
  return JSON.stringify(p) === JSON.stringify(blank);
}

/**
 * A profile as it is stored and shown: every secret value as "***". `given` has the values that came
 * with it ("***" means: keep the one held).
 */
export function withoutSecrets(p: ConnectionProfile): {
  stored: ConnectionProfile;
  given: Map<string, string>;
} {
  const given = new Map<string, string>();
  const keep = (slot: Slot, value: string) => {
    if (value !== MASK) given.set(slot.slot, value);
    return MASK;
  };
  const stored: ConnectionProfile = {
    ...p,
    headers: p.headers.map(([name, value]) => [
      name,
      isSecretName(name) ? keep(headerSlot(name), value) : value,
    ]),
    ...(p.initPayload !== undefined ? { initPayload: keep(INIT_PAYLOAD, p.initPayload) } : {}),
    ...(p.keyPem !== undefined ? { keyPem: keep(CLIENT_KEY, p.keyPem) } : {}),
  };
  return { stored, given };
}

/** A profile column's text: null for a profile that says nothing beyond the URL. */
export function profileColumn(stored: ConnectionProfile): string | null {
  return isEmpty(stored) ? null : JSON.stringify(stored);
}

/** The secret values this process holds, by walk: given at start or in an edit, gone when it ends. */
export class WalkSecrets {
  private readonly held = new Map<number, Map<string, string>>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  /**
   * Keeps the values given for a walk's new profile: a secret given as "***" keeps the value held for
   * it; one the profile no longer has is forgotten.
   */
  update(walkId: number, stored: ConnectionProfile, given: Map<string, string>): void {
    const before = this.held.get(walkId) ?? new Map<string, string>();
    const now = new Map<string, string>();
    for (const s of slotsOf(stored)) {
      const value = given.get(s.slot) ?? before.get(s.slot);
      if (value !== undefined) now.set(s.slot, value);
    }
    this.held.set(walkId, now);
  }

  private value(walkId: number, s: Slot): string | undefined {
    return this.held.get(walkId)?.get(s.slot) ?? (this.env[s.env] || undefined);
  }

  /** The walk's stored profile as shown: secret values masked, and which of them this process can send. */
  view(walkId: number, column: string | null): WalkProfileView | null {
    if (column === null) return null;
    const profile = ConnectionProfileSchema.parse(JSON.parse(column));
    const secrets: ProfileSecret[] = slotsOf(profile).map((s) => ({
      slot: s.slot,
      what: s.what,
      env: s.env,
      held: this.value(walkId, s) !== undefined,
    }));
    return { profile, secrets };
  }

  /**
   * The profile an action connects with: the walk's (secrets filled in), then the step's own headers
   * and protocol settings, then this run's `override` (its secrets as given). A secret the run needs
   * and nobody gave is a NeedsInputError naming it.
   */
  resolve(
    walkId: number,
    column: string | null,
    action: StepAction,
    override: ConnectionProfile | undefined,
    subject: string,
  ): ConnectionProfile {
    let p =
      column === null ? ConnectionProfileSchema.parse({}) : ConnectionProfileSchema.parse(JSON.parse(column));
    if (action.kind === 'capture' || action.kind === 'probe') {
      p = merge(
        p,
        ConnectionProfileSchema.parse({
          headers: (action.headers ?? []).map(headerLine),
          ...(action.subprotocol !== undefined ? { subprotocols: [action.subprotocol] } : {}),
          ...(action.protocol !== undefined ? { protocol: action.protocol } : {}),
          ...(action.initPayload !== undefined ? { initPayload: action.initPayload } : {}),
        }),
      );
    }
    if (override) p = merge(p, override);
    const fill = (s: Slot, value: string) => {
      if (value !== MASK) return value;
      const v = this.value(walkId, s);
      if (v === undefined) throw needsSecret(s, subject);
      return v;
    };
    return {
      ...p,
      headers: p.headers.map(([name, value]) => [
        name,
        isSecretName(name) ? fill(headerSlot(name), value) : value,
      ]),
      ...(p.initPayload !== undefined ? { initPayload: fill(INIT_PAYLOAD, p.initPayload) } : {}),
      ...(p.keyPem !== undefined ? { keyPem: fill(CLIENT_KEY, p.keyPem) } : {}),
    };
  }

  /** Forgets a walk's secrets. */
  forget(walkId: number): void {
    this.held.delete(walkId);
  }
}

/** "Name: value" as a header. */
function headerLine(line: string): [string, string] {
  const at = line.indexOf(':');
  if (at < 1) throw new InputError(`"${line}" is not a "Name: value" header`);
  return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
}

/**
 * `over` on top of `base`: a header replaces the base's of the same name (case aside); lists and
 * values that `over` gives replace the base's; `insecure` is on when either turns it on.
 */
export function merge(base: ConnectionProfile, over: ConnectionProfile): ConnectionProfile {
  const names = new Set(over.headers.map(([n]) => n.toLowerCase()));
  const out: ConnectionProfile = {
    ...base,
    headers: [...base.headers.filter(([n]) => !names.has(n.toLowerCase())), ...over.headers],
    insecure: base.insecure || over.insecure,
  };
  if (over.subprotocols.length) out.subprotocols = over.subprotocols;
  if (over.subscribe.length) out.subscribe = over.subscribe;
  if (over.sends.length) out.sends = over.sends;
  for (const k of [
    'origin',
    'protocol',
    'initPayload',
    'script',
    'scriptFile',
    'caPem',
    'certPem',
    'keyPem',
  ] as const)
    if (over[k] !== undefined) (out as Record<string, unknown>)[k] = over[k];
  if (over.pemFiles) out.pemFiles = { ...base.pemFiles, ...over.pemFiles };
  return out;
}
