import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

/**
 * Nothing but this origin (and its WebSocket) may be reached from the page. WebAssembly may be
 * compiled ('wasm-unsafe-eval': the noise suppressor and the person segmenter, both files of
 * this build); JavaScript eval stays forbidden.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
].join('; ');

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** `/`, `/index`, `/x/` and `*.html` all resolve to HTML files (sirv's default extensions). */
const isHtmlPath = (pathname: string) => /\.html?$/.test(pathname) || !/\.[^/]*$/.test(pathname);

/** Serves the built client; says so plainly when it has not been built. */
export function staticFiles(dir: string): RequestHandler {
  // dev mode looks files up per request instead of caching a listing at startup: a rebuild
  // while running (vite empties dist/) must not leave cached paths whose read stream fails
  // with no listener, which would crash the process.
  const serve = sirv(dir, {
    dev: true,
    etag: true,
    setHeaders(res, pathname) {
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (isHtmlPath(pathname)) res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
      if (pathname.startsWith('/assets/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    },
  });
  return (req, res) => {
    // Checked per request so that `npm run build` then reload works without a restart.
    if (!existsSync(dir)) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Client not built: run `npm run build`\n');
      return;
    }
    // sirv throws synchronously on a reversed range (`bytes=9-1`); the client needs no ranges.
    delete req.headers.range;
    serve(req, res, () => {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not found\n');
    });
  };
}
