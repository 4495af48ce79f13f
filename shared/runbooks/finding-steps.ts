// Where each finding of the catalogue gets fixed: the runbook and the node whose steps fix it. The
// diagnosis links its findings here; a unit test checks that every target exists and names the
// finding in its "Fixes:" line.
import type { FindingId } from './finding-ids.js';

/** The runbook step that fixes a finding. */
export interface RunbookStepRef {
  runbook: string;
  node: string;
}

/** For every finding id, the built-in runbook node that fixes it. */
export const findingRunbookStep: Readonly<Record<FindingId, RunbookStepRef>> = {
  'server-unreachable': { runbook: 'symptom-matrix', node: 'FIX_REACH' },
  'tls-error': { runbook: 'service-runbook', node: 'ADVANCED' },
  'mixed-content': { runbook: 'symptom-matrix', node: 'FIX_WSS' },
  'upgrade-rejected': { runbook: 'symptom-matrix', node: 'FIX_UPGRADE' },
  'proxy-missing-upgrade': { runbook: 'ws-3am', node: 'FIX_UPGRADE' },
  'origin-rejected': { runbook: 'symptom-matrix', node: 'FIX_ORIGIN' },
  'subprotocol-refused': { runbook: 'symptom-matrix', node: 'FIX_PROTOCOL' },
  'auth-refused': { runbook: 'symptom-matrix', node: 'FIX_PROTOCOL' },
  'idle-timeout': { runbook: 'ws-3am', node: 'FIX_TIMEOUTS' },
  'no-heartbeat': { runbook: 'symptom-matrix', node: 'FIX_IDLE' },
  'heartbeat-timeout': { runbook: 'root-causes', node: 'FIX_HEARTBEAT' },
  'app-heartbeat-unanswered': { runbook: 'root-causes', node: 'FIX_HEARTBEAT' },
  'ping-flood': { runbook: 'root-causes', node: 'FIX_HEARTBEAT' },
  'abnormal-closure': { runbook: 'symptom-matrix', node: 'FIX_RESOURCES' },
  'server-close': { runbook: 'ws-3am', node: 'FIX_HEALTH' },
  'reconnect-storm': { runbook: 'ws-3am', node: 'FIX_RECONNECT' },
  'high-latency': { runbook: 'ws-3am', node: 'FIX_EVENT_LOOP' },
  'no-messages': { runbook: 'symptom-matrix', node: 'FIX_FORMAT' },
  'subscription-refused': { runbook: 'symptom-matrix', node: 'FIX_PROTOCOL' },
  'proxy-buffering': { runbook: 'symptom-matrix', node: 'FIX_PROXY' },
  'protocol-violation': { runbook: 'symptom-matrix', node: 'FIX_FORMAT' },
};
