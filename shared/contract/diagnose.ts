// The request channels and push topic of diagnosis, spread into the one contract
// (shared/contract.ts) under the domain `diagnose`: a live probe, the analysis of a recorded
// session, and the probe's progress.
import { z } from 'zod';
import { DiagnosisSchema } from '../findings.js';

/** What the console asks a probe to do; mirrors `frameline probe`. */
export const ProbeRequestSchema = z.object({
  url: z.string().min(1).max(2048),
  /** The backend behind the proxy, checked the same way. */
  direct: z.string().min(1).max(2048).optional(),
  /** Origins the service's pages use. */
  origins: z.array(z.string().min(1).max(512)).max(20).default([]),
  /** The page that opens the socket (mixed content). */
  pageOrigin: z.string().min(1).max(512).optional(),
  healthPath: z.string().min(1).max(1024).default('/health'),
  idleLimitSeconds: z.number().min(1).max(3600).default(75),
  echo: z.number().int().min(0).max(1000).default(0),
  timeoutSeconds: z.number().min(0.1).max(300).default(5),
  /** Request headers sent on every handshake (Authorization, Cookie…); logged with secrets redacted. */
  headers: z
    .array(z.tuple([z.string().min(1).max(256), z.string().max(8192)]))
    .max(50)
    .default([]),
  /** Subprotocols offered on every handshake. */
  subprotocols: z.array(z.string().min(1).max(256)).max(20).default([]),
  insecure: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  /** Chosen by the caller to tell its progress pushes apart; one is made up when absent. */
  runId: z.string().min(1).max(100).optional(),
});

/** One step of a running probe. */
export const DiagnoseProgressSchema = z.object({
  runId: z.string(),
  check: z.string(),
  state: z.enum(['running', 'ok', 'failed']),
  /** What the check saw, in a few words ("HTTP 101 Switching Protocols"). */
  detail: z.string(),
});

/** `diagnose:*` */
export const diagnoseChannels = {
  probe: {
    request: ProbeRequestSchema,
    response: DiagnosisSchema.extend({ runId: z.string(), direct: z.string().nullable() }),
  },
  session: {
    request: z.object({
      id: z.number().int().positive(),
      /** The JSON field that pairs a request with its response (default "id"). */
      idField: z.string().min(1).max(100).optional(),
    }),
    response: DiagnosisSchema,
  },
} as const;

/** Push topics of diagnosis. */
export const diagnoseTopics = {
  /** A probe started or finished a check (a few per second at most). */
  'diagnose:progress': DiagnoseProgressSchema,
} as const;
