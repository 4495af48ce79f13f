// The console's line after a HAR import: what it made, and the file's times it did not take as they were.
import { expect, it } from 'vitest';
import { importedText } from '../../../../../renderer/features/sessions/import-har';

it('says which times of the file were adjusted, as the CLI and the JSON do', () => {
  const text = importedText(
    {
      sessionId: 3,
      connections: 1,
      frames: 6,
      skipped: 1,
      skippedMessages: [],
      adjusted: [
        {
          path: 'log.entries[1].timings',
          what: "the handshake's timings (3,971 ms) end after the first frame (12 ms after the start): the connection is taken as open at its first frame",
        },
      ],
    },
    'chat.har',
  );
  expect(text).toBe(
    "Imported chat.har as session 3: 1 connection, 6 frames (1 other entry skipped). Adjusted 1 time that would have made a lifetime negative: log.entries[1].timings: the handshake's timings (3,971 ms) end after the first frame (12 ms after the start): the connection is taken as open at its first frame.",
  );
});
