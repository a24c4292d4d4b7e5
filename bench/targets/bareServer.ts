import { createServer } from 'node:http';
import { serveUntilStopped } from '../serveUntilStopped.js';

// The ceiling: answers each request body it knows with a gateway's captured response and does nothing else.
const responses = new Map(Object.entries(JSON.parse(process.env['BARE_RESPONSES'] ?? '{}') as Record<string, string>));
if (responses.size === 0) throw new Error('BARE_RESPONSES must map request bodies to response bodies (JSON); got none');

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = responses.get(Buffer.concat(chunks).toString('utf8'));
    res.statusCode = body === undefined ? 404 : 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(body ?? '{"errors":[{"message":"The bare server knows no answer to this request."}]}');
  });
});
server.keepAliveTimeout = 65_000;
serveUntilStopped(server, { name: 'bare', port: Number(process.env['PORT'] ?? '0'), host: process.env['HOST'] ?? '127.0.0.1', path: '/graphql' });
