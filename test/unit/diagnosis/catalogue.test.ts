import { describe, expect, it } from 'vitest';
import {
  FINDING_IDS,
  FINDINGS,
  FindingSchema,
  finding,
  hasCritical,
  runbookRef,
  sortFindings,
} from '../../../shared/findings.js';
import { FINDING_IDS as RUNBOOK_FINDING_IDS } from '../../../shared/runbooks/finding-ids.js';

/**
 * The stable ids of the design document's catalogue, written out here by hand: the code's list is
 * checked against this one, so a renamed or dropped id fails (new ids may be added; never renamed).
 */
const DESIGN_IDS = [
  'server-unreachable',
  'tls-error',
  'mixed-content',
  'upgrade-rejected',
  'proxy-missing-upgrade',
  'origin-rejected',
  'idle-timeout',
  'no-heartbeat',
  'heartbeat-timeout',
  'abnormal-closure',
  'server-close',
  'reconnect-storm',
  'high-latency',
  'no-messages',
  'proxy-buffering',
];

describe('the finding catalogue', () => {
  it('keeps every id the design names, each with a title, meaning, cause, fix and runbook step', () => {
    for (const id of DESIGN_IDS) expect(FINDING_IDS, id).toContain(id);
    expect(new Set(FINDING_IDS).size).toBe(FINDING_IDS.length);
    expect([...FINDING_IDS].sort()).toEqual([...RUNBOOK_FINDING_IDS].sort());
    for (const id of FINDING_IDS) {
      const spec = FINDINGS[id];
      expect(spec.id).toBe(id);
      for (const text of [spec.title, spec.meaning, spec.cause, spec.fix])
        expect(text.length, id).toBeGreaterThan(10);
      expect(runbookRef(id)).toMatch(/^[a-z0-9-]+#[A-Z0-9_]+$/);
    }
  });

  it('names the configuration changes the playbooks name', () => {
    expect(FINDINGS['proxy-missing-upgrade'].fix).toMatch(/proxy_http_version 1\.1/);
    expect(FINDINGS['proxy-missing-upgrade'].fix).toMatch(/proxy_set_header Upgrade \$http_upgrade/);
    expect(FINDINGS['proxy-missing-upgrade'].fix).toMatch(/proxy_set_header Connection "upgrade"/);
    expect(FINDINGS['idle-timeout'].fix).toMatch(/proxy_read_timeout/);
    expect(FINDINGS['idle-timeout'].fix).toMatch(/timeout tunnel/);
    expect(FINDINGS['no-heartbeat'].fix).toMatch(/below the smallest idle timeout/);
    expect(FINDINGS['reconnect-storm'].fix).toMatch(/backoff and jitter/);
    expect(FINDINGS['origin-rejected'].fix).toMatch(/ALLOWED_ORIGINS/);
    expect(FINDINGS['mixed-content'].fix).toMatch(/wss:\/\//);
    expect(FINDINGS['proxy-buffering'].fix).toMatch(/proxy_buffering off/);
  });

  it('builds findings that fit the contract schema, worst first', () => {
    const list = [
      finding('no-heartbeat', 'no ping in 75 s', { pingsSeen: 0 }),
      finding('idle-timeout', 'cut after 60 s', { idleSeconds: 60 }),
      finding('proxy-buffering', 'bursts', {}, 'info'),
    ];
    for (const f of list) FindingSchema.parse(f);
    expect(sortFindings(list).map((f) => f.id)).toEqual(['idle-timeout', 'no-heartbeat', 'proxy-buffering']);
    expect(list[0]).toMatchObject({
      severity: 'warning',
      runbook: runbookRef('no-heartbeat'),
      title: FINDINGS['no-heartbeat'].title,
    });
    expect(hasCritical(list)).toBe(true);
    expect(hasCritical(list.slice(0, 1))).toBe(false);
  });
});
