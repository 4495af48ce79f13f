// Field schemas with the sentences both shells show when a value is out of range: the console
// next to its field, the command line after the flag's name ("--timeout must be…").
import { z } from 'zod';

/** A number within [min, max] (in `unit`), with one sentence for every way it can be wrong. */
export function numberIn(min: number, max: number, unit = '', { integer = false } = {}) {
  const words = `must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}${unit ? ` ${unit}` : ''}`;
  const n = z.number({ error: words }).min(min, { error: words }).max(max, { error: words });
  return integer ? n.int({ error: words }) : n;
}

/** Largest certificate or private key a request carries, as PEM text (a real one is a few KiB). */
export const MAX_PEM_CHARS = 1024 * 1024;

/**
 * A certificate or a private key as PEM text: the console reads the file the person chose in the
 * page and sends its text, the command line reads its --ca/--cert/--key files. The engine reads no
 * file a request names.
 */
export const PemSchema = z
  .string()
  .min(1, { error: 'is empty; choose the PEM file of the certificate or key' })
  .max(MAX_PEM_CHARS, {
    error: 'is larger than 1 MiB; a certificate or key in PEM is a few KiB: check it is the right file',
  });

/** A request field that once named a file on the engine's machine: refused, saying what to send. */
function noPath(instead: string) {
  return z
    .undefined({
      error: `is refused: the engine reads no file a request names; send the file's PEM text as ${instead}`,
    })
    .optional();
}

/** A file's name as the sender gives it, for sentences only. */
const PemFileNameSchema = z.string().min(1).max(4096);

/**
 * Which files the PEM texts were read from, as the sender names them (the command line's --ca,
 * --cert and --key): the sentence that refuses a text names its file. Words only: never opened.
 */
export const PemFilesSchema = z
  .object({ ca: PemFileNameSchema, cert: PemFileNameSchema, key: PemFileNameSchema })
  .partial();

/** The TLS material of a request: PEM text, never a path (caFile, certFile and keyFile are refused). */
export const TlsPemFields = {
  caPem: PemSchema.optional(),
  certPem: PemSchema.optional(),
  keyPem: PemSchema.optional(),
  pemFiles: PemFilesSchema.optional(),
  caFile: noPath('caPem'),
  certFile: noPath('certPem'),
  keyFile: noPath('keyPem'),
};

/** An RFC 7230 token: header names and subprotocols. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A header value as HTTP allows it: visible characters, spaces and tabs, no control characters. */
// eslint-disable-next-line no-control-regex
const FIELD_VALUE = /^[^\u0000-\u0008\u000a-\u001f\u007f]*$/;

/** A request header as [name, value], checked as HTTP checks it. */
export const HeaderSchema = z.tuple([
  z
    .string()
    .min(1, { error: 'a header needs a name' })
    .max(256)
    .regex(TOKEN, { error: "a header name has letters, digits and !#$%&'*+-.^_`|~ only" }),
  z.string().max(8192).regex(FIELD_VALUE, {
    error: 'a header value cannot hold control characters (line breaks, NUL, \\x01…)',
  }),
]);

/** A subprotocol offered in the handshake. */
export const SubprotocolSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(TOKEN, { error: "a subprotocol is a token: letters, digits and !#$%&'*+-.^_`|~" });

/**
 * What an export redacts: on unless turned off on purpose (`--no-redact`), with the user's own
 * field names (`--redact-field`) and patterns (`--redact-pattern`) besides the built-in rules.
 */
export const RedactionSchema = z.object({
  enabled: z.boolean().default(true),
  fields: z
    .array(
      z
        .string()
        .trim()
        .min(1, { error: 'a field name cannot be empty' })
        .max(200)
        .regex(/^[^\s]+$/, { error: 'is a field or header name, without spaces' }),
    )
    .max(100)
    .default([]),
  patterns: z
    .array(
      z
        .string()
        .min(1, { error: 'a pattern cannot be empty' })
        .max(1000)
        .refine((p) => isRegExp(p), {
          error: 'is not a regular expression JavaScript can read (escape ( [ { * + ? with \\)',
        })
        .refine((p) => !isRegExp(p) || !new RegExp(p).test(''), {
          error: 'matches empty text; make it match at least one character',
        }),
    )
    .max(100)
    .default([]),
});

function isRegExp(p: string): boolean {
  try {
    new RegExp(p, 'g');
    return true;
  } catch {
    return false;
  }
}

/** What an export took out, by rule, for its header. User patterns are counted, never shown. */
export const RedactionSummarySchema = z.object({
  enabled: z.boolean(),
  rules: z.array(
    z.object({
      rule: z.string(),
      count: z.number().int().nonnegative(),
      /** The headers, query parameters and fields the values were taken from (names, never values). */
      names: z.array(z.string()).optional(),
      /** More names than listed were involved. */
      moreNames: z.boolean().optional(),
    }),
  ),
  /** The user's field names (names are not secrets). */
  userFields: z.array(z.string()),
  /** How many patterns of the user's were applied (the patterns may spell a secret). */
  userPatterns: z.number().int().nonnegative(),
});

/** What an export redacts, as asked. */
export type RedactionOptions = z.output<typeof RedactionSchema>;
/** What an export took out. */
export type RedactionSummary = z.output<typeof RedactionSummarySchema>;

/** The JSON field that pairs a request with its response (`id`, `requestId`). */
export const IdFieldSchema = z
  .string()
  .regex(/^[^\s"]{1,100}$/, { error: 'is not a JSON field name; give one such as id or requestId' });
