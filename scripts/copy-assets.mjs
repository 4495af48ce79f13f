// Copies what tsc does not emit (SQL migrations) next to the compiled engine.
import { cpSync } from 'node:fs';

cpSync('electron/engine/store/migrations', 'dist/electron/engine/store/migrations', { recursive: true });
