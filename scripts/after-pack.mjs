// electron-builder afterPack hook: flips Electron's fuses in the packaged binary, before signing.
// The packaged app then cannot be turned into a plain Node runtime (ELECTRON_RUN_AS_NODE,
// NODE_OPTIONS, --inspect), loads its code only from an app.asar whose integrity is checked, and
// encrypts its cookies at rest.
import { join } from 'node:path';
import { FuseV1Options, FuseVersion, flipFuses } from '@electron/fuses';
import { Arch } from 'electron-builder';

/** @param {import('electron-builder').AfterPackContext} context */
export default async function afterPack(context) {
  const { appOutDir, electronPlatformName, packager, arch } = context;
  const executable = {
    darwin: `${packager.appInfo.productFilename}.app`,
    mas: `${packager.appInfo.productFilename}.app`,
    win32: `${packager.appInfo.productFilename}.exe`,
    linux: packager.executableName,
  }[electronPlatformName];
  if (!executable)
    throw new Error(`after-pack: no Electron executable known for platform ${electronPlatformName}`);

  await flipFuses(join(appOutDir, executable), {
    version: FuseVersion.V1,
    // Apple Silicon refuses to run a binary whose ad-hoc signature no longer matches; re-sign it.
    resetAdHocDarwinSignature: electronPlatformName === 'darwin' && arch === Arch.arm64,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: false,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.EnableCookieEncryption]: true,
    // The console is served over app://, never file://.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  });
}
