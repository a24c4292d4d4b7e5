import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// Only these files are served, so no request path can reach anything else on disk.
const FILES: ReadonlyMap<string, { file: string; type: string }> = new Map([
  ['/', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/index.html', { file: 'index.html', type: 'text/html; charset=utf-8' }],
  ['/app.js', { file: 'app.js', type: 'text/javascript; charset=utf-8' }],
  ['/style.css', { file: 'style.css', type: 'text/css; charset=utf-8' }],
]);

const HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // The page talks to whichever gateway ?gateway= names, so connect-src cannot be narrowed further.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; connect-src http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 0;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number from 0 to 65535; got "${raw}"`);
  return port;
}

const server = createServer((req, res) => {
  const entry = FILES.get(new URL(req.url ?? '/', 'http://storefront').pathname);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method not allowed\n');
    return;
  }
  if (entry === undefined) {
    res.writeHead(404, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
    return;
  }
  readFile(new URL(entry.file, import.meta.url)).then(
    (content) =>
      res.writeHead(200, { ...HEADERS, 'content-type': entry.type, 'content-length': content.length }).end(req.method === 'HEAD' ? undefined : content),
    (error: unknown) => {
      console.error(error);
      res.writeHead(500, { ...HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('Internal error\n');
    },
  );
});

server.listen(readPort(process.env['PORT']), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(`listening on http://127.0.0.1:${port}/`);
});
