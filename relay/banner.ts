import { renderUnicodeCompact } from 'uqr';

/** What a person reads on stdout at startup: where to go, and what to check on the way. */
export function startupBanner(opts: { urls: string[]; fingerprint?: string; qr: boolean }): string {
  const [first, ...others] = opts.urls;
  const lines = [`Confab is running at ${first}`, ...others.map((url) => `  also at ${url}`)];
  lines.push('Open that address in a browser, click "Create room" and share the link.');
  if (opts.qr && first) {
    // Phones on the LAN scan this instead of typing an IP address and port.
    lines.push(`Or scan it with a phone:`, renderUnicodeCompact(first, { border: 2 }));
  }
  if (opts.fingerprint) {
    lines.push(`The certificate is self-signed: browsers warn once. Its SHA-256 fingerprint is`, `  ${opts.fingerprint}`);
  }
  return `${lines.join('\n')}\n`;
}
