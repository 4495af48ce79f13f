import { describe, expect, it } from 'vitest';
import {
  DAMAGE_REASONS,
  DamageTally,
  damageKindOf,
  damageWords,
  mergeDamage,
  type DamageKind,
} from '../../../shared/frame-damage.js';

describe('damaged frames', () => {
  it.each(Object.keys(DAMAGE_REASONS) as DamageKind[])(
    'a frame marked %s reads back as that kind',
    (kind) => {
      expect(damageKindOf(DAMAGE_REASONS[kind])).toBe(kind);
    },
  );

  it('counts frames of a missing segment file apart from changed and cut-short ones, and says so', () => {
    const t = new DamageTally();
    t.add(3, 'checksum');
    t.add(7, 'cut-short');
    for (const seq of [8, 9, 10]) t.add(seq, 'missing');
    expect(t.summary()).toEqual({ frames: 5, seqs: [3, 7, 8, 9, 10], checksum: 1, cutShort: 1, missing: 3 });
    expect(damageWords(t.summary())).toBe(
      '5 frames are damaged (seq 3, 7–10: 1 changed on disk, 1 cut short, 3 in a missing segment file)',
    );
    expect(mergeDamage([t.summary(), t.summary()])).toMatchObject({ frames: 10, missing: 6, cutShort: 2 });
  });
});
