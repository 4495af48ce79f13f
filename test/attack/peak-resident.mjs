// Loaded with `node --import` by the attack kit's bounded runs: on exit, writes the process's peak
// resident set (VmHWM, in KiB) to the file named by FRAMELINE_TEST_PEAK_FILE. Test-only; never in
// the product.
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.env.FRAMELINE_TEST_PEAK_FILE;
if (file) {
  process.on('exit', () => {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s*(\d+) kB$/m);
    if (line) writeFileSync(file, line[1]);
  });
}
