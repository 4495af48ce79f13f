// The report's one stylesheet, inlined in every HTML report. Its hash is what the report's own
// Content-Security-Policy allows (and nothing else: no script, nothing fetched), and what the
// console's policy allows so that it can preview a report in a sandboxed frame.
import { createHash } from 'node:crypto';

export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d232b; --muted: #5b6470; --line: #d5dae1; --soft: #f3f5f8;
  --accent: #c2410c; --ok: #1f7a3d; --warn: #a15c00; --bad: #b42318; --info: #2859b8; }
* { box-sizing: border-box; }
html { font-size: 14px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 60rem; padding: 2rem 2.5rem 4rem; color: var(--ink); background: #fff;
  font: 1rem/1.5 "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 2px solid var(--ink); break-after: avoid; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .4rem; break-after: avoid; }
h4 { font-size: .95rem; margin: 1.1rem 0 .3rem; break-after: avoid; }
p, ul, ol { margin: .35rem 0 .6rem; }
.muted, .meta { color: var(--muted); }
.meta { font-size: .85rem; }
.redaction { margin: .8rem 0 1rem; padding: .5rem .75rem; border-left: 4px solid var(--info); background: var(--soft); font-size: .85rem; }
.redaction.is-off { border-left-color: var(--bad); }
.verdict { padding: .5rem .75rem; border-left: 4px solid var(--muted); background: var(--soft); }
.verdict[data-tone=better] { border-left-color: var(--ok); } .verdict[data-tone=worse] { border-left-color: var(--bad); }
.verdict[data-tone=mixed], .verdict[data-tone=inconclusive] { border-left-color: var(--warn); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.empty { color: var(--muted); font-style: italic; }
code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .82rem; }
code { background: var(--soft); padding: 0 .2rem; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .7rem;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0 .7rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 .9rem; font-size: .85rem; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.time, td.kind { white-space: nowrap; font-variant-numeric: tabular-nums; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: .4rem .9rem; margin: .8rem 0; }
.facts div { border-top: 1px solid var(--line); padding-top: .25rem; }
.facts dt { font-size: .75rem; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.facts dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.sev { display: inline-block; padding: 0 .45rem; border-radius: 3px; font-weight: 700; font-size: .8rem; color: #fff; background: var(--muted); }
.sev.P1, .sev.critical { background: var(--bad); } .sev.P2, .sev.warning { background: var(--warn); }
.sev.P3, .sev.info { background: var(--info); } .sev.P4 { background: var(--muted); }
.score-verdict { font-weight: 700; } .score-verdict.pass { color: var(--ok); } .score-verdict.fail { color: var(--bad); } .score-verdict.none { color: var(--muted); }
.finding, .step, .session { break-inside: avoid-page; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .9rem; margin: .7rem 0; }
.step.is-left { border-style: dashed; color: var(--muted); }
.step .overrun { color: var(--bad); font-weight: 600; }
.checklist { list-style: none; padding-left: 0; }
.checklist li::before { content: "☐ "; }
.checklist li.is-checked::before { content: "☑ "; color: var(--ok); }
.run { margin: .4rem 0 .6rem; }
.run .status-ok { color: var(--ok); } .run .status-failed, .run .status-timeout, .run .status-interrupted { color: var(--bad); }
.note { border-left: 3px solid var(--accent); padding: .1rem .6rem; margin: .4rem 0; }
figure { margin: .6rem 0 1rem; break-inside: avoid; }
figcaption { font-size: .8rem; color: var(--muted); }
svg { max-width: 100%; height: auto; }
svg text { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
.flowchart text { font-size: 12px; fill: var(--ink); }
.flow-shape { fill: #fff; stroke: #9aa3ae; stroke-width: 1.2; }
.flow-node.kind-decision .flow-shape { fill: #fbfcfd; }
.flow-node.kind-start text, .flow-node.kind-end text, .flow-node.kind-decision text { font-weight: 600; }
.flow-node.is-visited .flow-shape { fill: #fff1e8; stroke: var(--accent); stroke-width: 2; }
.flow-node.is-current .flow-shape { fill: var(--accent); stroke: var(--accent); stroke-width: 2.5; }
.flow-node.is-current text { fill: #fff; }
.flow-node.is-left .flow-shape { stroke-dasharray: 4 3; stroke: #8a94a3; fill: #f6f7f9; }
.flow-node.is-idle text, .flow-node.is-next text { fill: #56606c; }
.flow-edge { fill: none; stroke: #b6bdc6; stroke-width: 1.2; }
.flow-edge.is-taken { stroke: var(--accent); stroke-width: 3; }
.flow-edge.is-left { stroke: #8a94a3; stroke-dasharray: 5 4; }
.flow-edge.is-next { stroke: #6b7684; stroke-dasharray: 2 3; }
.flow-arrow { fill: #b6bdc6; } .flow-arrow.is-taken { fill: var(--accent); } .flow-arrow.is-left { fill: #8a94a3; } .flow-arrow.is-next { fill: #6b7684; }
.flow-edge-label rect { fill: #fff; stroke: #d5dae1; }
.flow-edge-label text { font-size: 11px; fill: var(--muted); }
.flow-edge-label.is-taken rect { stroke: var(--accent); } .flow-edge-label.is-taken text { fill: var(--accent); font-weight: 600; }
.flow-overrun circle { fill: var(--bad); } .flow-overrun text { fill: #fff; font-weight: 700; font-size: 11px; }
.chart .axis, .chart .grid, .chart .track { stroke: #c9ced6; stroke-width: 1; }
.chart .grid { stroke-dasharray: 2 3; }
.chart .axis-label, .chart .conn-label { font-size: 10px; fill: var(--muted); }
.chart .conn-label { fill: #fff; font-weight: 600; }
.rate-in { fill: #2f6fd6; } .rate-out { fill: #e08a2c; }
.query-chart .series { fill: none; stroke-width: 1.8; stroke-linejoin: round; }
.query-chart .threshold { stroke: var(--bad); stroke-width: 1.2; stroke-dasharray: 6 4; }
.query-chart .threshold-label { fill: var(--bad); }
.series-0 { stroke: #2f6fd6; fill: #2f6fd6; } .series-1 { stroke: #e08a2c; fill: #e08a2c; } .series-2 { stroke: #2e8b57; fill: #2e8b57; }
.series-3 { stroke: #8e44ad; fill: #8e44ad; } .series-4 { stroke: #c0392b; fill: #c0392b; } .series-5 { stroke: #6b7684; fill: #6b7684; }
.query-chart path.series { fill: none; }
.query { margin: .4rem 0 .8rem; } .query .verdict-pass { color: #2e8b57; font-weight: 600; } .query .verdict-fail { color: var(--bad); font-weight: 600; }
.conn.cls-normal { fill: #2e8b57; } .conn.cls-restart { fill: #3f7fbf; } .conn.cls-abnormal { fill: var(--bad); }
.conn.cls-error { fill: #d9480f; } .conn.cls-app { fill: #8e44ad; } .conn.cls-open { fill: #6b7684; } .conn.cls-unknown { fill: #98a1ad; }
.conn.cross { fill: none; stroke: var(--bad); stroke-width: 2; } rect.conn.cls-failed { fill: var(--bad); }
.handshake { fill: #b6bdc6; }
.mermaid-note { font-size: .8rem; color: var(--muted); }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); border-top: 1px solid var(--line); padding-top: .5rem; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  html { font-size: 11px; }
  body { max-width: none; padding: 0; }
  h2 { break-before: auto; }
  a { color: inherit; text-decoration: none; }
  .finding, .session { break-inside: auto; }
}
`;

/** The CSP source that allows exactly the report's stylesheet: `'sha256-…'`. */
export function reportStyleSource(): string {
  return `'sha256-${createHash('sha256').update(REPORT_CSS, 'utf8').digest('base64')}'`;
}

/** The report's own policy: its stylesheet and inline images, nothing else (no script, no fetch). */
export function reportContentSecurityPolicy(): string {
  return `default-src 'none'; style-src ${reportStyleSource()}; img-src data:; base-uri 'none'; form-action 'none'`;
}
