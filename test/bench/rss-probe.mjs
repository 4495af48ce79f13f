// Loaded before the command under measurement (node --import): when the process exits, prints its
// peak resident memory (all threads, the writer's included) on stderr for the bench to read.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nbench-peak-rss-kb ${process.resourceUsage().maxRSS}\n`);
});
