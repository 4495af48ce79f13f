// What a session measures, as both the incident report's evidence and a before/after comparison
// carry it: round-trip percentiles, connection lifetimes, reconnects and their gaps, and the
// connections on the session's time axis.
import { z } from 'zod';

/** Round trips in milliseconds. */
export const LatencySchema = z.object({
  samples: z.number().int().nonnegative(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  maxMs: z.number(),
});

/** A connection on the session's time axis, for the connection timeline. */
export const ReportSpanSchema = z.object({
  ordinal: z.number().int().positive(),
  /** How it ended, as the charts colour it. */
  cls: z.enum(['normal', 'restart', 'abnormal', 'error', 'app', 'failed', 'open', 'unknown']),
  /** Epoch microseconds. */
  attemptAt: z.number(),
  openedAt: z.number().nullable(),
  endAt: z.number(),
  /** What the bar says: `1006`, `refused`. */
  label: z.string(),
});

/** How long the connections that opened and closed lived; null when none did. */
export const LifetimesSchema = z
  .object({
    count: z.number().int().positive(),
    minSeconds: z.number(),
    medianSeconds: z.number(),
    maxSeconds: z.number(),
  })
  .nullable();

/** Reconnects, and the gaps from a close to the next attempt. */
export const ReconnectsSchema = z.object({
  /** Connections opened once every earlier one had ended (side by side ones are no reconnects). */
  count: z.number().int().nonnegative(),
  /** Seconds from the close of the connections before to the attempt. */
  medianGapSeconds: z.number().nullable(),
  maxGapSeconds: z.number().nullable(),
});

/** The connections drawn on the session's time axis. */
export const SpansSchema = z.object({
  from: z.number(),
  to: z.number(),
  spans: z.array(ReportSpanSchema),
  /** Spans left out of the drawing (more than it can show). */
  omitted: z.number().int().nonnegative(),
});
