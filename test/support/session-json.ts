// Shapes of `frameline show --json`, for typed assertions.
import type { ConnectionView, FrameRecord, SessionSummary } from '../../shared/contract.js';

export interface ShowJson {
  session: SessionSummary;
  connections: ConnectionView[];
  frames?: FrameRecord[];
}
