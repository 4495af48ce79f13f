// A session's status as a badge: live pulses, complete is quiet, interrupted warns, failed alarms.
import type { ResponseOf } from '../../../shared/contract';

type Status = ResponseOf<'sessions', 'list'>[number]['status'];

const TITLES: Record<Status, string> = {
  live: 'Still capturing: frames keep arriving',
  complete: 'The capture ended and every frame was committed',
  interrupted: 'The recording process stopped before the capture ended; every spooled frame was kept',
  failed: 'No connection ever opened: refused, DNS, TLS or the upgrade failed (see the connection)',
};

export function StatusBadge({ status }: { status: Status }) {
  return (
    <span className={`session-status status-${status}`} title={TITLES[status]} data-status={status}>
      <i className="session-status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
