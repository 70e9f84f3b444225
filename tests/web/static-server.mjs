// A plain static file server for the browser tests, as any static host is: files under `root`, served
// below the URL path `prefix` (a published site's sub-path, e.g. /blog/hessian-boundary/), index.html for
// a directory, a content type from the extension, nothing else (no rewriting, no headers of ours).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Serves `root` below `prefix` (or the pages in `pages`, {path: html}) on 127.0.0.1; returns {url, close}. */
export async function serveStatic(root, { prefix = '/', pages = {} } = {}) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const send = (status, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type });
      res.end(body);
    };
    if (pages[url.pathname] !== undefined) return send(200, pages[url.pathname], TYPES['.html']);
    if (!root || !url.pathname.startsWith(prefix)) return send(404, 'not found');
    const rel = decodeURIComponent(url.pathname.slice(prefix.length));
    let file = path.join(root, rel);
    if (!file.startsWith(path.resolve(root))) return send(404, 'not found');
    try {
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      send(200, await readFile(file), TYPES[path.extname(file)] ?? 'application/octet-stream');
    } catch {
      send(404, 'not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Closing also ends the browser's idle keep-alive connections, which would hold close() for minutes.
  const close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${server.address().port}${prefix}`, close };
}
