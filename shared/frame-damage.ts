// Frames whose stored bytes failed their check: what a damaged frame says, and how the frames a read
// found damaged are counted and put in words (the command line's line on stderr, a diagnosis's
// check, a report's evidence). Pure: used by the engine, the command line and the console alike.
import type { DamagedFrames } from './contract/sessions.js';

/**
 * Why a frame's stored bytes cannot be served: they changed after they were recorded, its segment
 * file ends before them, or its segment file is missing.
 */
export type DamageKind = 'checksum' | 'cut-short' | 'missing';

/** What a damaged frame says in its `damage` field and on screen. */
export const DAMAGE_REASONS: Readonly<Record<DamageKind, string>> = {
  checksum: 'checksum mismatch: the stored bytes changed after they were recorded',
  'cut-short': 'cut short: the segment file ends before this payload',
  missing: 'missing: its segment file is missing',
};

/** The kind of damage a frame's `damage` sentence names. */
export function damageKindOf(reason: string): DamageKind {
  if (reason === DAMAGE_REASONS['cut-short']) return 'cut-short';
  if (reason === DAMAGE_REASONS.missing) return 'missing';
  return 'checksum';
}

/** Sequence numbers a tally keeps (the count goes on). */
export const DAMAGED_SEQS_KEPT = 20;

/** Counts the damaged frames a read meets, in the order it meets them. */
export class DamageTally {
  private readonly tally: DamagedFrames = { frames: 0, seqs: [], checksum: 0, cutShort: 0, missing: 0 };

  add(seq: number, kind: DamageKind): void {
    const t = this.tally;
    t.frames++;
    if (t.seqs.length < DAMAGED_SEQS_KEPT) t.seqs.push(seq);
    if (kind === 'checksum') t.checksum++;
    else if (kind === 'cut-short') t.cutShort++;
    else t.missing++;
  }

  get frames(): number {
    return this.tally.frames;
  }

  summary(): DamagedFrames {
    return { ...this.tally, seqs: [...this.tally.seqs] };
  }
}

/** Adds tallies (a report reads several sessions). */
export function mergeDamage(all: readonly DamagedFrames[]): DamagedFrames {
  const out: DamagedFrames = { frames: 0, seqs: [], checksum: 0, cutShort: 0, missing: 0 };
  for (const d of all) {
    out.frames += d.frames;
    out.checksum += d.checksum;
    out.cutShort += d.cutShort;
    out.missing += d.missing;
    out.seqs.push(...d.seqs.slice(0, DAMAGED_SEQS_KEPT - out.seqs.length));
  }
  return out;
}

/** Sequence numbers as runs: `5, 9–12, 20`, with `…` when more frames were damaged than listed. */
export function seqRuns(seqs: readonly number[], total = seqs.length): string {
  const sorted = [...seqs].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    runs.push(j > i ? `${sorted[i]}–${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return `${runs.join(', ')}${total > sorted.length ? ', …' : ''}`;
}

/** `3 frames are damaged (seq 5, 9–10: 1 changed on disk, 2 cut short)`. */
export function damageWords(d: DamagedFrames): string {
  const why = [
    d.checksum ? `${d.checksum} changed on disk` : '',
    d.cutShort ? `${d.cutShort} cut short` : '',
    d.missing ? `${d.missing} in a missing segment file` : '',
  ].filter(Boolean);
  const plural = d.frames === 1 ? 'frame is' : 'frames are';
  return `${d.frames} ${plural} damaged (seq ${seqRuns(d.seqs, d.frames)}: ${why.join(', ')})`;
}
