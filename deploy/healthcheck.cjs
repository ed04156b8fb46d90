// The container's HEALTHCHECK (plain node, no curl in the image): GET /healthz on this box,
// over HTTPS unless CONFAB_TLS=off; the certificate may be Confab's own self-signed one.
const port = process.env.CONFAB_PORT || '8080';
const scheme = process.env.CONFAB_TLS === 'off' ? 'http' : 'https';
require(scheme)
  .get(`${scheme}://127.0.0.1:${port}/healthz`, { rejectUnauthorized: false, timeout: 4000 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1))
  .on('timeout', () => process.exit(1))
  .on('error', () => process.exit(1));
