// The fix of a finding as it is pasted: one block per place it goes, each filled in with the
// measured values and the real address; and the finding as text, the same for the command line and
// the console's Copy button.
import { describe, expect, it } from 'vitest';
import { fixAdvice, pingIntervalBelow } from '../../../shared/fix-advice.js';
import { findingsText, findingText } from '../../../shared/finding-text.js';
import { finding, FINDING_IDS } from '../../../shared/findings.js';
import { canary, expectNoSecrets } from '../../support/secrets.js';

const URL = 'ws://10.1.2.3:8443/prices?feed=eu';

describe('the idle-timeout fix', () => {
  const f = finding('idle-timeout', 'An idle connection was dropped after 3 s without traffic.', {
    url: URL,
    idleSeconds: 3,
    closeCode: 1006,
    limitSeconds: 75,
  });
  const advice = fixAdvice(f);

  it('says the measured cut and a ping interval below it, not the 30 s / 60 s of the textbook', () => {
    expect(advice.text).toContain('cut after 3 s');
    expect(advice.text).toContain('a server ping every 1 s');
    expect(advice.text).not.toMatch(/30 s|60 s/);
    expect(f.fix).toBe(advice.text);
  });

  it('gives one block per target, each with the real address and nothing left to fill in', () => {
    expect(advice.blocks.map((b) => b.target)).toEqual(['nginx', 'haproxy', 'node-ws', 'python-websockets']);
    for (const b of advice.blocks) {
      expect(b.code).not.toMatch(/HOST|PORT|\$\{|;,/);
      expect(b.code).toContain(URL);
    }
    const code = (t: string) => advice.blocks.find((b) => b.target === t)!.code;
    expect(code('nginx')).toMatch(
      /^# idle connections for .* were cut after 3 s\nproxy_read_timeout 3600s;\nproxy_send_timeout 3600s;$/,
    );
    expect(code('haproxy')).toMatch(/\ntimeout tunnel 1h$/);
    expect(code('node-ws')).toContain('}, 1000);');
    expect(code('python-websockets')).toContain(
      'websockets.serve(handler, "10.1.2.3", 8443, ping_interval=1, ping_timeout=1)',
    );
  });

  it('names the nginx location by the path of the URL', () => {
    expect(advice.blocks[0]!.title).toBe('nginx — in the location that proxies /prices');
  });
});

describe('ping intervals below a measured cut', () => {
  it.each([
    [60, 30],
    [75, 37],
    [3, 1],
    [2, 1],
    [1.2, 0.6],
  ])('a cut after %s s gets a ping every %s s', (cut, every) => {
    expect(pingIntervalBelow(cut)).toBe(every);
    expect(pingIntervalBelow(cut)).toBeLessThan(cut);
  });
});

describe('fixes that need the endpoint', () => {
  it('replays a refused handshake with curl at the real URL, with the Origin that was sent', () => {
    const f = finding('upgrade-rejected', 'refused with 403', {
      url: 'wss://chat.example.com/socket',
      status: 403,
      origin: 'https://app.example.com',
    });
    const [replay] = fixAdvice(f).blocks;
    expect(replay!.target).toBe('shell');
    expect(replay!.code).toContain("-H 'Origin: https://app.example.com'");
    expect(replay!.code).toMatch(/\n {2}https:\/\/chat\.example\.com\/socket$/);
  });

  it('takes the endpoint of the diagnosis when a session finding does not carry one', () => {
    const f = finding('no-heartbeat', 'no ping', { pingsSeen: 0, observedSeconds: 40, idleSeconds: null });
    const advice = fixAdvice(f, 'ws://127.0.0.1:9000/feed');
    expect(advice.text).toContain('every 30 s');
    expect(advice.blocks.map((b) => b.target)).toEqual(['node-ws', 'python-websockets']);
    expect(advice.blocks[1]!.code).toContain('"127.0.0.1", 9000');
  });

  it('checks a server that is not reachable where it is meant to listen', () => {
    const f = finding('server-unreachable', 'refused', { url: 'ws://api.internal:7000/ws', stage: 'tcp' });
    expect(fixAdvice(f).blocks.map((b) => b.code)).toEqual([
      'dig +short api.internal\nnc -zv -w 5 api.internal 7000',
      "ss -tlnp | grep ':7000 '",
    ]);
  });

  it('falls back to the catalogue sentence where the evidence adds nothing', () => {
    const f = finding('high-latency', 'slow', { p95Ms: 180 });
    expect(fixAdvice(f)).toEqual({ text: '', blocks: [] });
    expect(f.fix).toMatch(/Compare ping round trips/);
  });
});

describe('a finding as text', () => {
  const f = finding('idle-timeout', 'cut after 3 s', { url: URL, idleSeconds: 3, closeCode: 1006 });

  it('prints the fix blocks under the finding, titled and indented', () => {
    const text = findingText(f);
    expect(text).toMatch(/^CRITICAL {2}idle-timeout: Idle connections are cut after a fixed time\n/);
    expect(text).toContain(`  evidence: url ${URL}; idleSeconds 3; closeCode 1006`);
    expect(text).toContain('  fix:      Idle connections were cut after 3 s.');
    expect(text).toContain('\n  nginx — in the location that proxies /prices\n      # idle connections for');
    expect(text).toContain('\n      proxy_read_timeout 3600s;');
  });

  it('says so when there is nothing', () => {
    expect(findingsText([])).toBe('No findings.\n');
  });
});

describe('secrets in the endpoint stay out of the advice and the evidence (issue 19, item 10a)', () => {
  const token = canary('query-token');
  const apiKey = canary('query-apikey');
  const password = canary('userinfo');
  const secrets = [token, apiKey, password];
  const secretUrl = `wss://ann:${password}@chat.example:8443/live?room=7&token=${token}&api_key=${apiKey}`;
  const secretBackend = `ws://ann:${password}@10.0.0.5:9000/live?token=${token}`;
  /** Evidence as every rule may keep it: the URL, the backend, the origins, the measured values. */
  const evidence = {
    url: secretUrl,
    directUrl: secretBackend,
    use: secretUrl,
    status: 401,
    origin: 'https://app.example.com',
    refused: ['https://app.example.com'],
    idleSeconds: 30,
    timeoutMs: 5000,
  };

  it('leaves no query secret or URL password in any fix of the catalogue, from the evidence or the target', () => {
    const outputs: Record<string, string> = {};
    for (const id of FINDING_IDS) {
      // Stored evidence from before redaction at the source is read back as it was written.
      const fromEvidence = fixAdvice({ id, evidence });
      const fromTarget = fixAdvice({ id, evidence: { idleSeconds: 30, status: 401 } }, secretUrl);
      outputs[`${id} (evidence)`] = JSON.stringify(fromEvidence);
      outputs[`${id} (target)`] = JSON.stringify(fromTarget);
      outputs[`${id} as text`] = findingText(
        { ...finding(id, 'seen', {}), evidence: { idleSeconds: 30 } },
        secretUrl,
      );
    }
    expectNoSecrets(outputs, secrets);
    // Still filled in with the real endpoint: host, port, path and the public parameters.
    const curl = fixAdvice({ id: 'upgrade-rejected', evidence }).blocks[0]!.code;
    expect(curl).toContain("'https://chat.example:8443/live?room=7&token=***&api_key=***'");
  });

  it('keeps a finding built by the rules free of them: its summary, evidence, fix and text', () => {
    const outputs: Record<string, string> = {};
    for (const id of FINDING_IDS) {
      const f = finding(id, `A page would open ${secretUrl}: refused.`, evidence);
      outputs[id] = JSON.stringify(f);
      outputs[`${id} as text`] = findingText(f);
    }
    expectNoSecrets(outputs, secrets);
    const f = finding('mixed-content', `would open ${secretUrl}`, evidence);
    expect(f.evidence.url).toBe('wss://ann:***@chat.example:8443/live?room=7&token=***&api_key=***');
    expect(f.evidence.status).toBe(401);
  });
});
