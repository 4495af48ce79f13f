// Types of native-module.mjs for the tests that import it.
export declare const root: string;
export declare function betterSqliteDir(): string;
export declare function slot(pkgDir: string, abi: string, platform?: string, arch?: string): string;
export declare function builtAbi(pkgDir: string): string | null;
export declare function settleRelease(pkgDir: string): string | null;
export declare function ensureNodeBuild(pkgDir?: string, log?: (message: string) => void): void;
export declare function electronAbi(electronDir: string): string;
export declare function prepareForElectron(
  electronDir: string | null,
  log?: (message: string) => void,
): Promise<void>;
