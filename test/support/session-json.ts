// Shapes of `frameline show --json`, for typed assertions.
import type { ConnectionView, FrameView, SessionSummary } from '../../shared/model.js';

export interface ShowJson {
  session: SessionSummary;
  connections: ConnectionView[];
  frames?: FrameView[];
}
