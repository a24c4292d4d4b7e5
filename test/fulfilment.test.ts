import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.js';
import type { CachePurger } from '../subgraphs/kit/cachePurge.js';
import type { Database } from '../subgraphs/kit/database.js';
import { eventually, openMigratedDatabase } from '../subgraphs/kit/testing.js';
import type { OrderStatus } from '../subgraphs/orders/db.js';
import { runStep, startFulfilment, type FulfilmentDependencies } from '../subgraphs/orders/fulfilment.js';
import { createScratchDatabase, type ScratchDatabase } from './support/postgres.js';

// Fulfilment's steps on a real database: a step changes an order only from the status it expects.

const modes = [
  { mode: 'the embedded database, on timers', postgres: false, queueRedisUrl: undefined },
  { mode: 'PostgreSQL, on a BullMQ queue', postgres: true, queueRedisUrl: 'redis://127.0.0.1:6379/12' },
] as const;

describe.each(modes)('fulfilment on $mode', ({ postgres, queueRedisUrl }) => {
  let scratch: ScratchDatabase | undefined;
  let db: Database;
  const published: string[] = [];
  const purged: string[][] = [];
  const purger: CachePurger = {
    purge: async (tags) => void purged.push([...tags]),
    close: async () => undefined,
  };
  const deps = (): FulfilmentDependencies => ({
    db,
    publishStatus: async (orderId) => void published.push(orderId),
    purger,
    logger: createLogger('orders', 'silent'),
    stepMs: 50,
    queueRedisUrl,
  });
  let orderNumber = 0;

  async function order(status: OrderStatus, buyer = 'u3'): Promise<string> {
    orderNumber += 1;
    const { rows } = await db.query<{ id: string }>('INSERT INTO orders (buyer_id, idempotency_key, status, total) VALUES ($1, $2, $3, 100) RETURNING id', [
      buyer,
      `fulfilment-${orderNumber}`,
      status,
    ]);
    return rows[0]!.id;
  }

  const statusOf = async (id: string): Promise<string | undefined> =>
    (await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [id])).rows[0]?.status;

  beforeAll(async () => {
    if (queueRedisUrl !== undefined) {
      // This suite's own database number: nothing else keeps keys there.
      const redis = new Redis(queueRedisUrl);
      await redis.flushdb();
      redis.disconnect();
    }
    scratch = postgres ? await createScratchDatabase('supergate_fulfilment') : undefined;
    db = await openMigratedDatabase('orders', new URL('../subgraphs/orders/migrations/', import.meta.url), scratch?.url);
    // The seed's unfinished orders are not this suite's.
    await db.query("UPDATE orders SET status = 'DELIVERED' WHERE status IN ('PLACED', 'SHIPPED')");
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  it('a step run twice ships the order once: one event, one purge, and the next step scheduled', async () => {
    const id = await order('PLACED', 'u4');
    const scheduled: string[] = [];
    const schedule = async (orderId: string, status: OrderStatus) => void scheduled.push(`${orderId} after ${status}`);
    published.length = 0;
    purged.length = 0;

    expect(await runStep(deps(), schedule, { orderId: id, step: 'SHIPPED' })).toBe(true);
    expect(await runStep(deps(), schedule, { orderId: id, step: 'SHIPPED' })).toBe(false);
    expect(await statusOf(id)).toBe('SHIPPED');
    expect(published).toEqual([id]);
    expect(purged).toEqual([[`Order:${id}`, 'User:u4']]);
    // Scheduled each time, and each time the same step: a queue holds it once, a timer is set once.
    expect(scheduled).toEqual([`${id} after SHIPPED`, `${id} after SHIPPED`]);

    expect(await runStep(deps(), schedule, { orderId: id, step: 'DELIVERED' })).toBe(true);
    // A shipping job that arrives late changes nothing once the order is delivered.
    expect(await runStep(deps(), schedule, { orderId: id, step: 'SHIPPED' })).toBe(false);
    expect(await statusOf(id)).toBe('DELIVERED');
    expect(published).toEqual([id, id]);
  });

  it('never ships a cancelled order', async () => {
    const id = await order('CANCELLED');
    const scheduled: string[] = [];
    published.length = 0;
    expect(await runStep(deps(), async (orderId) => void scheduled.push(orderId), { orderId: id, step: 'SHIPPED' })).toBe(false);
    expect(await statusOf(id)).toBe('CANCELLED');
    expect([published, scheduled]).toEqual([[], []]);
  });

  it('picks up orders left placed or shipped when it starts and delivers them, leaving cancelled ones alone', async () => {
    const [placed, shipped, cancelled] = [await order('PLACED'), await order('SHIPPED'), await order('CANCELLED')];
    published.length = 0;
    const fulfilment = startFulfilment(deps());
    try {
      expect(fulfilment.kind).toBe(queueRedisUrl === undefined ? 'timers' : 'queue');
      await eventually('both orders to be delivered', async () => (await statusOf(placed)) === 'DELIVERED' && (await statusOf(shipped)) === 'DELIVERED');
      expect(await statusOf(cancelled)).toBe('CANCELLED');
      expect(published.sort()).toEqual([placed, placed, shipped].sort());
    } finally {
      await fulfilment.close();
    }
  }, 30_000);
});
