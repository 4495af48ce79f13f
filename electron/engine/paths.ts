// Where the desktop app keeps its database; the command line uses the same file by default.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The per-user data folder Electron's app.getPath('userData') gives for an app named Frameline. */
export function userDataDir(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Frameline');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Frameline');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Frameline');
}

/** The database file: FRAMELINE_DB when set, else frameline.db in the user-data folder. */
export function defaultDbPath(env = process.env): string {
  return env.FRAMELINE_DB || join(userDataDir(process.platform, env), 'frameline.db');
}
