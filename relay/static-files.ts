import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

/** Nothing but this origin (and its WebSocket) may be reached from the page. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "worker-src 'self' blob:",
].join('; ');

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves the built client; says so plainly when it has not been built. */
export function staticFiles(dir: string): RequestHandler {
  const serve = existsSync(dir)
    ? sirv(dir, {
        etag: true,
        setHeaders(res, pathname) {
          res.setHeader('Referrer-Policy', 'no-referrer');
          res.setHeader('X-Content-Type-Options', 'nosniff');
          if (pathname.endsWith('.html') || pathname === '/') res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
          if (pathname.startsWith('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        },
      })
    : null;
  return (req, res) => {
    if (!serve) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Client not built: run `npm run build`\n');
      return;
    }
    serve(req, res, () => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    });
  };
}
