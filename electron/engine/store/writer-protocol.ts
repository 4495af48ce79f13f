// Messages between the capturing thread and the writer thread.

export type ToWriter =
  | { type: 'open'; sessionId: number; spoolPath: string }
  | { type: 'spooled'; sessionId: number; upTo: number }
  | { type: 'finish'; sessionId: number; upTo: number; endedAt: number }
  | { type: 'index' }
  | { type: 'close' };

export type FromWriter =
  | { type: 'committed'; sessionId: number; frames: number; offset: number }
  | { type: 'finished'; sessionId: number }
  | { type: 'indexed'; backlog: number }
  | { type: 'error'; message: string };
