// What the desktop packages would hold, read through electron-builder's own code from
// electron-builder.yml and package.json (electron-builder cannot package here without the Electron
// binary): what the deb installs in /usr/bin, its maintainer, the app's name on each platform, and
// which runtime dependencies go into app.asar.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

interface PlatformPackager {
  executableName: string;
  platformSpecificBuildOptions: object;
  expandMacro(pattern: string, arch: string, extra: Record<string, string>): string;
}
interface BuilderPackager {
  appDir: string;
  config: { mac?: object; win?: object };
  validateConfig(): Promise<void>;
  tempDirManager: { cleanup(): Promise<void> };
  _appInfo: unknown;
}
interface FpmTarget {
  scriptFiles: Promise<{ afterInstall: string }>;
  computeFpmMetaInfoOptions(): Promise<{ maintainer: string }>;
}

const lib = require('app-builder-lib') as {
  Packager: new (options: object) => BuilderPackager;
  LinuxPackager: new (info: BuilderPackager) => PlatformPackager;
  AppInfo: new (info: BuilderPackager, buildVersion: null, options?: object) => { productFilename: string };
  Platform: { LINUX: { createTarget(targets: string[]): unknown } };
};
const FpmTargetClass = (
  require('app-builder-lib/out/targets/FpmTarget') as {
    default: new (name: string, packager: PlatformPackager, helper: unknown, outDir: string) => FpmTarget;
  }
).default;
const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper') as {
  LinuxTargetHelper: new (packager: PlatformPackager) => unknown;
};
const { getNodeModuleFileMatcher } = require('app-builder-lib/out/fileMatcher') as {
  getNodeModuleFileMatcher(
    appDir: string,
    destination: string,
    expand: (pattern: string) => string,
    options: object,
    packager: BuilderPackager,
  ): unknown;
};
const { computeNodeModuleFileSets } = require('app-builder-lib/out/util/appFileCopier') as {
  computeNodeModuleFileSets(
    packager: PlatformPackager,
    matcher: unknown,
  ): Promise<Array<{ destination: string; files: string[] }>>;
};

let packager: BuilderPackager;
let linux: PlatformPackager;
let deb: FpmTarget;

beforeAll(async () => {
  packager = new lib.Packager({ projectDir: root, targets: lib.Platform.LINUX.createTarget(['deb']) });
  // Loads electron-builder.yml and package.json, and checks the configuration against its schema.
  await packager.validateConfig();
  packager._appInfo = new lib.AppInfo(packager, null);
  linux = new lib.LinuxPackager(packager);
  deb = new FpmTargetClass('deb', linux, new LinuxTargetHelper(linux), '/nonexistent/release');
});

afterAll(async () => {
  await packager?.tempDirManager.cleanup();
});

describe('the deb', () => {
  it('links /usr/bin/frameline-console to the window, and leaves /usr/bin/frameline to the command line', async () => {
    const postinst = readFileSync((await deb.scriptFiles).afterInstall, 'utf8');
    // Every command the package puts on PATH: what it links, and to what.
    const links = new Set(
      [...postinst.matchAll(/ln -sf '([^']+)' '(\/usr\/bin\/[^']+)'/g)].map((m) => `${m[2]} -> ${m[1]}`),
    );
    expect([...links]).toEqual(['/usr/bin/frameline-console -> /opt/Frameline/frameline-console']);
    expect(postinst).toContain(
      "update-alternatives --install '/usr/bin/frameline-console' 'frameline-console' '/opt/Frameline/frameline-console'",
    );
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toEqual(['frameline']);
  });

  it('names its maintainer with an email, as Debian requires ("Name <email>")', async () => {
    const { maintainer } = await deb.computeFpmMetaInfoOptions();
    expect(maintainer).toMatch(/^[^<>@]+ <[^<>@\s]+@[^<>@\s]+\.[a-z]+>$/);
  });
});

describe('the app', () => {
  it("is named frameline-console on Linux and keeps the product's name on macOS and Windows", () => {
    expect(linux.executableName).toBe('frameline-console');
    expect(new lib.AppInfo(packager, null, packager.config.mac).productFilename).toBe('Frameline');
    expect(new lib.AppInfo(packager, null, packager.config.win).productFilename).toBe('Frameline');
  });

  it('packs the runtime dependencies the desktop app loads into app.asar, and not playwright-core', async () => {
    const expand = (pattern: string) => linux.expandMacro(pattern, 'x64', { '/*': '{,/**/*}' });
    const matcher = getNodeModuleFileMatcher(
      packager.appDir,
      '/app',
      expand,
      linux.platformSpecificBuildOptions,
      packager,
    );
    const sets = await computeNodeModuleFileSets(linux, matcher);
    const packed = new Set(
      sets.filter((s) => s.files.length > 0).map((s) => s.destination.replace(/^\/app\//, '')),
    );
    for (const dependency of ['better-sqlite3', 'ws', 'zod', 'https-proxy-agent'])
      expect(packed, dependency).toContain(`node_modules/${dependency}`);
    expect(packed).not.toContain('node_modules/playwright-core');
  }, 180_000);
});
