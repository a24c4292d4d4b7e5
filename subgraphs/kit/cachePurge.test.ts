import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { createCachePurger } from './cachePurge.js';
import { readSubgraphConfig } from './config.js';

const logger = createLogger('orders', 'silent');

describe('purges posted to the gateway', () => {
  it('are tried again while the gateway answers 503, and arrive once it answers', async () => {
    const bodies: string[] = [];
    let refusals = 2;
    const gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (refusals > 0) {
          refusals -= 1;
          res.writeHead(503).end();
          return;
        }
        bodies.push(body);
        res.writeHead(200).end('{"purged":1}');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/cache/invalidate`;
      const purger = createCachePurger(readSubgraphConfig('orders', 0, ['products'], { CACHE_PURGE_URL: url, SUBGRAPH_PRODUCTS_URL: url }), logger);
      await purger.purge(['Order:12', 'User:u1']);
      expect(bodies).toEqual(['{"tags":["Order:12","User:u1"]}']);
      await purger.close();
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it('never fail the change they report when the gateway cannot be reached', async () => {
    const unreachable = 'http://127.0.0.1:1/cache/invalidate';
    const purger = createCachePurger(
      readSubgraphConfig('orders', 0, ['products'], { CACHE_PURGE_URL: unreachable, SUBGRAPH_PRODUCTS_URL: unreachable }),
      logger,
    );
    await expect(purger.purge(['Order:12'])).resolves.toBeUndefined();
    await purger.close();
  });
});
