// A walk's connection profile: how its capture, probe and relay actions reach an endpoint that wants
// more than a URL (headers, credentials, a subprotocol, a protocol and what to ask of it, messages on
// open, TLS). The fields are capture's, so `frameline walk start` takes capture's flags and the
// console edits them as the Attach screen does. Secret values never come back from the engine.
import { z } from 'zod';
import { isSecretName } from '../redaction.js';
import { CaptureRequestSchema } from './capture.js';

/** What a walk's actions send besides the URL: the fields of a capture request, with its defaults. */
export const ConnectionProfileSchema = CaptureRequestSchema.pick({
  headers: true,
  origin: true,
  subprotocols: true,
  protocol: true,
  initPayload: true,
  subscribe: true,
  sends: true,
  script: true,
  scriptFile: true,
  caPem: true,
  certPem: true,
  keyPem: true,
  pemFiles: true,
  caFile: true,
  certFile: true,
  keyFile: true,
  insecure: true,
});

/** A secret of a walk's profile, as the engine shows it: where it goes and where it is read from, never its value. */
export const ProfileSecretSchema = z.object({
  /** Its place in the profile: `header:authorization`, `initPayload` or `keyPem`. */
  slot: z.string(),
  /** In words: "the Authorization header". */
  what: z.string(),
  /** The environment variable a process that was not given the value reads it from. */
  env: z.string(),
  /** The engine answering holds the value (given to it, or in its environment): the actions can send it. */
  held: z.boolean(),
});

/** A walk's profile as it is shown: secret values as "***" (send "***" back to keep one), and the secrets. */
export const WalkProfileViewSchema = z.object({
  profile: ConnectionProfileSchema,
  secrets: z.array(ProfileSecretSchema),
});

/** A connection profile, defaults filled in. */
export type ConnectionProfile = z.output<typeof ConnectionProfileSchema>;
/** A connection profile as given (defaults left out). */
export type ConnectionProfileInput = z.input<typeof ConnectionProfileSchema>;
/** A secret of a walk's profile. */
export type ProfileSecret = z.output<typeof ProfileSecretSchema>;
/** A walk's profile as the engine shows it. */
export type WalkProfileView = z.output<typeof WalkProfileViewSchema>;

/** A profile in a line of the timeline: names and counts, never a header's value or a message. */
export function describeProfile(p: ConnectionProfile): string {
  const parts = [
    ...(p.headers.length
      ? [`headers ${p.headers.map(([n]) => (isSecretName(n) ? `${n} (secret)` : n)).join(', ')}`]
      : []),
    ...(p.origin ? [`origin ${p.origin}`] : []),
    ...(p.subprotocols.length ? [`subprotocol ${p.subprotocols.join(', ')}`] : []),
    ...(p.protocol ? [`protocol ${p.protocol}`] : []),
    ...(p.initPayload !== undefined ? ['an init payload (secret)'] : []),
    ...(p.subscribe.length
      ? [`${p.subscribe.length} subscription${p.subscribe.length === 1 ? '' : 's'}`]
      : []),
    ...(p.sends.length ? [`${p.sends.length} message${p.sends.length === 1 ? '' : 's'} on open`] : []),
    ...(p.script !== undefined ? ['a script'] : []),
    ...(p.caPem !== undefined ? ['a CA'] : []),
    ...(p.certPem !== undefined ? ['a client certificate'] : []),
    ...(p.insecure ? ['any certificate accepted'] : []),
  ];
  return parts.length ? parts.join('; ') : 'the URL only';
}
