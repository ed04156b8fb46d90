import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** Browsers give camera access only to https (or localhost): what the relay serves HTTPS with. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the certificate, as browsers show it, so people can check what they accept. */
  fingerprint: string;
  selfSigned: boolean;
}

const CERT_FILE = 'confab-cert.pem';
const KEY_FILE = 'confab-key.pem';
const VALIDITY_DAYS = 825;

export function loadTls(certPath: string, keyPath: string): TlsMaterial {
  const cert = readFileSync(certPath, 'utf8');
  const key = readFileSync(keyPath, 'utf8');
  return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, selfSigned: false };
}

/** This machine's IPv4 LAN addresses (the ones other devices can open). */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/**
 * A self-signed certificate kept in `dir` and reused while it still names every address we
 * serve (so people accept the browser warning once, not at every start).
 */
export async function selfSignedTls(dir: string, addresses: string[]): Promise<TlsMaterial> {
  const names = [...new Set(['localhost', '127.0.0.1', ...addresses])];
  const certPath = join(dir, CERT_FILE);
  const keyPath = join(dir, KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    const kept = loadTls(certPath, keyPath);
    const x509 = new X509Certificate(kept.cert);
    const fresh = new Date(x509.validTo).getTime() > Date.now() + 7 * 86_400_000;
    if (fresh && names.every((n) => x509.checkHost(n) !== undefined || x509.checkIP(n) !== undefined)) {
      return { ...kept, selfSigned: true };
    }
  }
  const notAfter = new Date(Date.now() + VALIDITY_DAYS * 86_400_000);
  const pems = await generate([{ name: 'commonName', value: 'Confab relay' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (/^[\d.]+$/.test(n) || n.includes(':') ? { type: 7, ip: n } : { type: 2, value: n })),
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256, selfSigned: true };
}
