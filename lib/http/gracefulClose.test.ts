import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulClose } from './gracefulClose.js';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A server whose handler waits until the test lets the request go. */
async function startServer(): Promise<{ server: Server; port: number; close: ReturnType<typeof gracefulClose>; arrived: () => Promise<ServerResponse> }> {
  const waiting: ((res: ServerResponse) => void)[] = [];
  const arrivedQueue: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    const next = waiting.shift();
    if (next === undefined) arrivedQueue.push(res);
    else next(res);
  });
  server.keepAliveTimeout = 60_000;
  const close = gracefulClose(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  const arrived = () => {
    const queued = arrivedQueue.shift();
    return queued !== undefined ? Promise.resolve(queued) : new Promise<ServerResponse>((resolve) => waiting.push(resolve));
  };
  return { server, port: (server.address() as AddressInfo).port, close, arrived };
}

function get(port: number, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('closing the HTTP server gracefully', () => {
  it('finishes a request in flight while refusing new connections', async () => {
    const { port, close, arrived } = await startServer();
    const agent = new Agent({ keepAlive: true });
    cleanups.push(() => agent.destroy());
    const inFlight = get(port, agent);
    const res = await arrived();

    const closed = close(10_000);
    await expect(get(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    res.end('done');

    expect(await inFlight).toEqual({ status: 200, connection: 'close', body: 'done' });
    expect(await closed).toEqual({ cutOff: 0 });
  });

  it('does not wait out the keep-alive timeout of idle or just-finished connections', async () => {
    const { port, close, arrived } = await startServer();
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    cleanups.push(() => agent.destroy());
    const first = get(port, agent);
    (await arrived()).end('idle soon');
    await first;
    const second = get(port, agent);
    const res = await arrived();

    const closed = close(30_000);
    res.end('last');
    expect(await second).toMatchObject({ status: 200, body: 'last' });
    // The server's keep-alive timeout is a minute; closing must not wait for it.
    expect(await closed).toEqual({ cutOff: 0 });
  });

  it('answers a request that arrives on an open connection while closing, then closes that connection', async () => {
    const { port, close, arrived } = await startServer();
    const socket = connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    // Half a request: the connection is busy, so closing must not drop it.
    socket.write('GET /ready HTTP/1.1\r\nHost: gateway\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));

    const closed = close(10_000);
    socket.write('\r\n');
    (await arrived()).end('stopping');
    await socketClosed;

    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received.toLowerCase()).toContain('connection: close');
    expect(received).toMatch(/stopping$/);
    expect(await closed).toEqual({ cutOff: 0 });
  });

  it('cuts requests still running when the grace period ends, and says how many', async () => {
    const { port, close, arrived } = await startServer();
    const stuck = Promise.allSettled([get(port), get(port)]);
    await arrived();
    await arrived();

    expect(await close(100)).toEqual({ cutOff: 2 });
    expect(await stuck).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ code: 'ECONNRESET' }) },
      { status: 'rejected', reason: expect.objectContaining({ code: 'ECONNRESET' }) },
    ]);
  });
});
