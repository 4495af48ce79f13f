// The pure parts of Prometheus as evidence: thresholds and how a value meets one, the server's URL
// (never with credentials in it), and the names of series in legends.
import { describe, expect, it } from 'vitest';
import {
  describeServer,
  formatValue,
  meets,
  parseThreshold,
  PrometheusServerSchema,
  prometheusUrlProblem,
  seriesName,
} from '../../../shared/prometheus.js';

describe('thresholds', () => {
  it('parses each comparison and judges values against it, edges included', () => {
    const cases: Array<[string, number, boolean]> = [
      ['< 10', 9.99, true],
      ['< 10', 10, false],
      ['<= 10', 10, true],
      ['> 0.995', 0.995, false],
      ['>= 99.5%', 0.995, true],
      ['== 0', 0, true],
      ['!= 0', 0, false],
      ['≥ 1e3', 1000, true],
    ];
    for (const [text, value, pass] of cases)
      expect(meets(value, parseThreshold(text)!), `${value} ${text}`).toBe(pass);
  });

  it('refuses what is not a comparison with a number', () => {
    for (const text of ['10', '< ten', '<', 'between 1 and 2', '< 10 ms'])
      expect(parseThreshold(text), text).toBeNull();
  });

  it('writes values for people: whole numbers plain, four significant digits otherwise', () => {
    expect(formatValue(1200)).toBe('1200');
    expect(formatValue(0.048751)).toBe('0.04875');
    expect(formatValue(0.0000123)).toBe('1.23e-5');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
  });
});

describe('the server', () => {
  it('takes http and https base URLs, and refuses credentials, other schemes and queries in one line', () => {
    expect(prometheusUrlProblem('http://127.0.0.1:9090')).toBeNull();
    expect(prometheusUrlProblem('https://prom.example/prometheus')).toBeNull();
    expect(prometheusUrlProblem('http://ana:s3cret@prom:9090')).toMatch(/carries credentials/);
    expect(prometheusUrlProblem('ws://prom:9090')).toMatch(/is not http or https/);
    expect(prometheusUrlProblem('http://prom:9090/api/v1/query?query=up')).toMatch(/base URL only/);
    expect(prometheusUrlProblem('prom:9090 ')).toMatch(/not a URL|not http or https/);
  });

  it('names where the secret is, never the secret', () => {
    const server = PrometheusServerSchema.parse({
      url: 'http://prom:9090',
      auth: 'basic',
      username: 'ana',
      secretEnv: 'PROMETHEUS_PASSWORD',
    });
    expect(describeServer(server)).toBe(
      'http://prom:9090 (basic auth as ana, password from $PROMETHEUS_PASSWORD)',
    );
    expect(PrometheusServerSchema.safeParse({ ...server, secretEnv: 'not a name' }).success).toBe(false);
    // Only a variable named for Prometheus: an incident cannot send another secret of the environment.
    for (const name of ['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'prometheus_token'])
      expect(PrometheusServerSchema.safeParse({ ...server, secretEnv: name }).success, name).toBe(false);
    expect(PrometheusServerSchema.safeParse({ ...server, secretEnv: 'TEAM_PROMETHEUS_TOKEN' }).success).toBe(
      true,
    );
  });

  it('names series by their labels, without job and instance', () => {
    expect(seriesName({ reason: 'idle_timeout' })).toBe('{reason="idle_timeout"}');
    expect(seriesName({ __name__: 'up', job: 'ws', instance: 'h:1' })).toBe('up');
    expect(seriesName({})).toBe('value');
  });
});
