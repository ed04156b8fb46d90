import type { Config } from './config';
import { lanAddresses, loadTls, selfSignedTls } from './tls';

/** What both commands (`confab` and `confab relay`) share: TLS for what they listen on, exits. */

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');
export const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';

/** HTTPS unless on localhost without --https (browsers allow the camera only there), or --tls off. */
export async function tlsFor(config: Pick<Config, 'host' | 'https' | 'tlsCert' | 'tlsKey' | 'dataDir'> & { tlsOff?: boolean }) {
  if (config.tlsOff) return null;
  if (config.tlsCert && config.tlsKey) {
    try {
      return loadTls(config.tlsCert, config.tlsKey);
    } catch (err) {
      fail(`could not read the TLS certificate or key: ${(err as Error).message}`, 1);
    }
  }
  if (!config.https && isLoopback(config.host)) return null;
  try {
    return await selfSignedTls(config.dataDir, isWildcard(config.host) ? lanAddresses() : [config.host]);
  } catch (err) {
    fail(`could not keep the self-signed certificate in ${config.dataDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): pass --data-dir, or --tls off behind a TLS proxy`, 1);
  }
}

export function fail(message: string, code: number, help = '--help'): never {
  process.stderr.write(`confab: ${message}\n`);
  if (code === 2) process.stderr.write(`Run with ${help} to see the options.\n`);
  process.exit(code);
}

