// Replay and Mock on a recorded session, side by side in its detail view.
import type { Api, ConnectionView } from '../../../shared/contract';
import { MockPanel } from './mock-panel';
import { ReplayPanel } from './replay-panel';
import './replay.css';

export function ReplayPanels({
  api,
  sessionId,
  connections,
  onOpenSession,
}: {
  api: Api;
  sessionId: number;
  connections: ConnectionView[];
  onOpenSession?: (id: number) => void;
}) {
  return (
    <>
      <ReplayPanel
        api={api}
        sessionId={sessionId}
        connections={connections}
        {...(onOpenSession ? { onOpenSession } : {})}
      />
      <MockPanel api={api} sessionId={sessionId} />
    </>
  );
}
