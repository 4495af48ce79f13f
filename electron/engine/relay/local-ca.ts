// Frameline's local certificate authority, as mitmproxy keeps one: created once in the user-data
// folder (ca/ beside the default database), it signs a leaf certificate for each host the relay
// serves TLS as (its --tls listen address, or each host a --proxy client tunnels to). Every leaf
// shares one key kept beside the CA, so a client that pins it (Chromium's
// --ignore-certificate-errors-spki-list) trusts them all. Node has no X.509 writer: openssl makes
// the certificates.
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';
import { userDataDir } from '../paths.js';

const run = promisify(execFile);

/** The CA's folder: FRAMELINE_CA_DIR when set, else ca/ in the user-data folder. */
export function caDir(env = process.env): string {
  return env.FRAMELINE_CA_DIR || join(userDataDir(process.platform, env), 'ca');
}

/** A certificate (with the CA after it, the chain a client is sent) and its key, in PEM. */
export interface ServedCertificate {
  cert: string;
  key: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { windowsHide: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new InputError(
        'openssl is not installed: Frameline uses it to make its local certificate authority (apt-get install openssl), or give --tls-cert FILE --tls-key FILE',
        { cause: err },
      );
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? e.message).trim()}`, { cause: err });
  }
}

/** A subjectAltName entry for a host: an address as IP:, a name as DNS:. */
function altName(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) ? `IP:${bare}` : `DNS:${bare}`;
}

export class LocalCa {
  readonly caFile: string;
  private readonly caKeyFile: string;
  private readonly leafKeyFile: string;
  private readonly leaves = new Map<string, Promise<ServedCertificate>>();
  private caPem = '';
  private leafKey = '';

  private constructor(readonly dir: string) {
    this.caFile = join(dir, 'frameline-ca.pem');
    this.caKeyFile = join(dir, 'frameline-ca.key');
    this.leafKeyFile = join(dir, 'leaf.key');
  }

  /** The CA in `dir`, created there the first time (its key and the leaves' key readable by the user only). */
  static async open(dir = caDir()): Promise<LocalCa> {
    const ca = new LocalCa(dir);
    if (!existsSync(ca.caFile) || !existsSync(ca.caKeyFile) || !existsSync(ca.leafKeyFile)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const conf = join(dir, `ca-${randomBytes(4).toString('hex')}.cnf`);
      writeFileSync(
        conf,
        [
          '[req]',
          'distinguished_name = dn',
          'prompt = no',
          '[dn]',
          'CN = Frameline local CA',
          'O = Frameline',
          '[ca]',
          'basicConstraints = critical,CA:TRUE,pathlen:0',
          'keyUsage = critical,keyCertSign,cRLSign',
          'subjectKeyIdentifier = hash',
          '',
        ].join('\n'),
      );
      try {
        await openssl([
          'req',
          '-x509',
          '-new',
          '-config',
          conf,
          '-extensions',
          'ca',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-sha256',
          '-days',
          '3650',
          '-set_serial',
          `0x${randomBytes(16).toString('hex')}`,
          '-keyout',
          ca.caKeyFile,
          '-out',
          ca.caFile,
        ]);
      } finally {
        rmSync(conf, { force: true });
      }
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      writeFileSync(ca.leafKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      chmodSync(ca.caKeyFile, 0o600);
    }
    ca.caPem = readFileSync(ca.caFile, 'utf8');
    ca.leafKey = readFileSync(ca.leafKeyFile, 'utf8');
    return ca;
  }

  /** The base64 SHA-256 of the leaves' public key (what Chromium's --ignore-certificate-errors-spki-list takes). */
  leafSpki(): string {
    const spki = createPublicKey(createPrivateKey(this.leafKey)).export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(spki).digest('base64');
  }

  /** A leaf certificate for `hosts` (the first is its name), signed by the CA; made once per run. */
  leaf(hosts: readonly string[]): Promise<ServedCertificate> {
    const names = [...new Set(hosts.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()))];
    const id = names.join(',');
    let made = this.leaves.get(id);
    if (!made) {
      made = this.sign(names);
      this.leaves.set(id, made);
      made.catch(() => this.leaves.delete(id));
    }
    return made;
  }

  private async sign(names: string[]): Promise<ServedCertificate> {
    const tag = randomBytes(6).toString('hex');
    const conf = join(this.dir, `leaf-${tag}.cnf`);
    const out = join(this.dir, `leaf-${tag}.pem`);
    writeFileSync(
      conf,
      [
        '[req]',
        'distinguished_name = dn',
        'prompt = no',
        '[dn]',
        `CN = ${names[0]!.replace(/[^A-Za-z0-9.:*-]/g, '_').slice(0, 64)}`,
        '[leaf]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${names.map(altName).join(',')}`,
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    try {
      // A leaf lives 397 days at most, the longest browsers accept.
      await openssl([
        'req',
        '-x509',
        '-new',
        '-config',
        conf,
        '-extensions',
        'leaf',
        '-key',
        this.leafKeyFile,
        '-CA',
        this.caFile,
        '-CAkey',
        this.caKeyFile,
        '-sha256',
        '-days',
        '397',
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
        '-out',
        out,
      ]);
      return { cert: `${readFileSync(out, 'utf8')}${this.caPem}`, key: this.leafKey };
    } finally {
      rmSync(conf, { force: true });
      rmSync(out, { force: true });
    }
  }
}
