// `node --import ./register.mjs dist/electron/main/main.js`: the built main process runs under plain
// Node with `electron` resolved to our stand-in (electron.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
