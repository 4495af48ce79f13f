// The walk's connection profile: secrets leave the stored profile as "***" and come back only from
// this process's memory or the environment; a step's and a run's settings go over the walk's.
import { describe, expect, it } from 'vitest';
import { ConnectionProfileSchema } from '../../../../shared/contract/walk-profile.js';
import { NeedsInputError } from '../../../../electron/engine/incidents/errors.js';
import { describeProfile } from '../../../../shared/contract/walk-profile.js';
import {
  profileColumn,
  WalkSecrets,
  withoutSecrets,
} from '../../../../electron/engine/incidents/walk-profile.js';

const profile = (p: object) => ConnectionProfileSchema.parse(p);
const capture = { kind: 'capture' as const, duration: 1 };

describe('a walk’s connection profile', () => {
  it('is stored without its secrets, which the process given them holds', () => {
    const { stored, given } = withoutSecrets(
      profile({
        headers: [
          ['Authorization', 'Bearer t0k'],
          ['X-Tenant', 'blue'],
        ],
        initPayload: '{"token":"t1"}',
      }),
    );
    const column = profileColumn(stored)!;
    expect(column).not.toMatch(/t0k|t1/);
    expect(stored.headers).toEqual([
      ['Authorization', '***'],
      ['X-Tenant', 'blue'],
    ]);
    const secrets = new WalkSecrets({});
    expect(() => secrets.resolve(1, column, capture, undefined, 'step 2 of ALERT')).toThrow(NeedsInputError);
    secrets.update(1, stored, given);
    const resolved = secrets.resolve(1, column, capture, undefined, 'step 2 of ALERT');
    expect(resolved.headers).toEqual([
      ['Authorization', 'Bearer t0k'],
      ['X-Tenant', 'blue'],
    ]);
    expect(resolved.initPayload).toBe('{"token":"t1"}');
    // An edit that sends "***" keeps the value; one that drops the header forgets it.
    const edit = withoutSecrets(profile({ headers: [['Authorization', '***']] }));
    secrets.update(1, edit.stored, edit.given);
    expect(secrets.resolve(1, profileColumn(edit.stored), capture, undefined, 's').headers).toEqual([
      ['Authorization', 'Bearer t0k'],
    ]);
    expect(profileColumn(withoutSecrets(profile({})).stored)).toBeNull();
  });

  it('reads a secret it was not given from the environment', () => {
    const { stored } = withoutSecrets(profile({ headers: [['X-Api-Key', 'k']] }));
    const secrets = new WalkSecrets({ FRAMELINE_X_API_KEY: 'from-env' });
    expect(secrets.view(1, profileColumn(stored))!.secrets).toEqual([
      { slot: 'header:x-api-key', what: 'the X-Api-Key header', env: 'FRAMELINE_X_API_KEY', held: true },
    ]);
    expect(secrets.resolve(1, profileColumn(stored), capture, undefined, 's').headers).toEqual([
      ['X-Api-Key', 'from-env'],
    ]);
  });

  it('takes the step’s settings, then the run’s, over the walk’s', () => {
    const { stored, given } = withoutSecrets(
      profile({
        headers: [
          ['Authorization', 'Bearer a'],
          ['X-Tenant', 'blue'],
        ],
        subprotocols: ['v1'],
      }),
    );
    const secrets = new WalkSecrets({});
    secrets.update(1, stored, given);
    const step = { kind: 'probe' as const, headers: ['X-Tenant: green'], subprotocol: 'v2' };
    const r = secrets.resolve(
      1,
      profileColumn(stored),
      step,
      profile({ headers: [['authorization', 'Bearer b']] }),
      's',
    );
    expect(r.headers).toEqual([
      ['X-Tenant', 'green'],
      ['authorization', 'Bearer b'],
    ]);
    expect(r.subprotocols).toEqual(['v2']);
    expect(describeProfile(stored)).toBe('headers Authorization (secret), X-Tenant; subprotocol v1');
  });
});
