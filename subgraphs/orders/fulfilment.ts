import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../lib/logger.js';
import type { CachePurger } from '../kit/cachePurge.js';
import type { Database } from '../kit/database.js';
import { advanceOrder, ordersById, unfinishedOrders, type OrderStatus } from './db.js';
import type { OrderEvents } from './orderEvents.js';

/** The statuses fulfilment moves an order to, in order. */
export type FulfilmentStep = 'SHIPPED' | 'DELIVERED';

const FROM: Record<FulfilmentStep, OrderStatus> = { SHIPPED: 'PLACED', DELIVERED: 'SHIPPED' };

/** The step that follows an order's status; none once it is delivered or cancelled. */
export function nextStep(status: OrderStatus): FulfilmentStep | undefined {
  if (status === 'PLACED') return 'SHIPPED';
  if (status === 'SHIPPED') return 'DELIVERED';
  return undefined;
}

/** The BullMQ queue's name and key prefix in `QUEUE_REDIS_URL`'s Redis. */
export const FULFILMENT_QUEUE = 'fulfilment';
export const FULFILMENT_QUEUE_PREFIX = 'supergate:queue';

/** A step's job id: one job per order and step, however often it is scheduled. */
export function stepJobId(orderId: string, step: FulfilmentStep): string {
  return `${orderId}-${step}`;
}

/** Steps waiting at once in one process without a queue, and unfinished orders picked up at start: a bound on timers and on the sweep. */
export const MAX_PENDING_STEPS = 10_000;

/** Tries of a step whose database write failed, before it waits for the next start. */
const STEP_ATTEMPTS = 5;
const RETRY_DELAY_MS = 1_000;

export interface StepJob {
  orderId: string;
  step: FulfilmentStep;
}

export interface FulfilmentDependencies {
  readonly db: Database;
  /** Tells an order's subscribers its status changed. */
  readonly publishStatus: OrderEvents['statusChanged'];
  readonly purger: CachePurger;
  readonly logger: Logger;
  readonly stepMs: number;
  /** BullMQ's Redis; without one the steps run on this process's timers. */
  readonly queueRedisUrl: string | undefined;
}

/** Moves placed orders through SHIPPED to DELIVERED in the background, one step every `stepMs`. */
export interface Fulfilment {
  readonly kind: 'queue' | 'timers';
  /** Schedules the step after `status` for `orderId`, `stepMs` from now; nothing for an order past fulfilment. */
  readonly schedule: (orderId: string, status: OrderStatus) => Promise<void>;
  /** Stops taking steps, lets one under way finish, and closes the queue's connections. */
  readonly close: () => Promise<void>;
}

/**
 * One step: moves the order on if it is still where the step expects it
 * (`UPDATE … WHERE status = 'PLACED'`), so a retried or duplicated step changes
 * nothing and a cancelled order is never shipped. A step that moved the order
 * tells its subscribers, has the gateway drop cached answers holding it, and
 * schedules the next step; one that finds the order moved already only makes
 * sure the next step is scheduled. Answers whether it changed the order.
 */
export async function runStep(deps: FulfilmentDependencies, schedule: Fulfilment['schedule'], job: StepJob): Promise<boolean> {
  const changed = await advanceOrder(deps.db, job.orderId, FROM[job.step], job.step);
  if (changed !== undefined) {
    // The status is written: from here on nothing may fail the step, or it would be retried for ever.
    await deps.publishStatus(job.orderId).catch((error: unknown) => deps.logger.warn({ err: error }, `publishing order ${job.orderId}'s change failed`));
    void deps.purger.purge([`Order:${job.orderId}`, `User:${changed.buyerId}`]);
  }
  const status = changed === undefined ? (await ordersById(deps.db, [job.orderId]))[0]?.status : job.step;
  if (status === job.step) {
    await schedule(job.orderId, job.step).catch((error: unknown) =>
      deps.logger.warn({ err: error }, `scheduling order ${job.orderId}'s next step failed; the next start picks it up`),
    );
  }
  return changed !== undefined;
}

/**
 * Starts fulfilment: a BullMQ queue and worker on `queueRedisUrl`, so steps
 * survive restarts and run on whichever replica is free, or timers in this
 * process. Either way it picks up orders left PLACED or SHIPPED, as a step
 * scheduled twice runs once (queue) or changes nothing the second time.
 */
export function startFulfilment(deps: FulfilmentDependencies): Fulfilment {
  const fulfilment = deps.queueRedisUrl === undefined ? timerFulfilment(deps) : queueFulfilment(deps, deps.queueRedisUrl);
  const pickedUp = pickUpUnfinished(deps, fulfilment).catch((error: unknown) =>
    deps.logger.error({ err: error }, 'picking up unfinished orders failed; they move on once scheduled again'),
  );
  return {
    kind: fulfilment.kind,
    schedule: fulfilment.schedule,
    async close() {
      await pickedUp;
      await fulfilment.close();
    },
  };
}

async function pickUpUnfinished(deps: FulfilmentDependencies, fulfilment: Fulfilment): Promise<void> {
  const orders = await unfinishedOrders(deps.db, MAX_PENDING_STEPS);
  for (const order of orders) await fulfilment.schedule(order.id, order.status);
  if (orders.length > 0) deps.logger.info(`picked up ${orders.length} orders on their way to their buyers`);
}

function timerFulfilment(deps: FulfilmentDependencies): Fulfilment {
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let closed = false;

  const later = (job: StepJob, delayMs: number, attempt: number): void => {
    const id = stepJobId(job.orderId, job.step);
    if (closed || timers.has(id)) return;
    if (timers.size >= MAX_PENDING_STEPS) {
      deps.logger.warn(`${MAX_PENDING_STEPS} fulfilment steps are waiting; order ${job.orderId} moves on after the next start`);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(id);
      const step = runStep(deps, schedule, job).catch((error: unknown) => {
        if (attempt >= STEP_ATTEMPTS) {
          deps.logger.error({ err: error }, `order ${job.orderId} could not be ${job.step.toLowerCase()} after ${attempt} tries; the next start picks it up`);
          return;
        }
        later(job, RETRY_DELAY_MS * 2 ** (attempt - 1), attempt + 1);
      });
      running.add(step);
      void step.finally(() => running.delete(step));
    }, delayMs);
    timer.unref();
    timers.set(id, timer);
  };

  const schedule = async (orderId: string, status: OrderStatus): Promise<void> => {
    const step = nextStep(status);
    if (step !== undefined) later({ orderId, step }, deps.stepMs, 1);
  };

  return {
    kind: 'timers',
    schedule,
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}

function queueFulfilment(deps: FulfilmentDependencies, url: string): Fulfilment {
  // The worker blocks on its connection waiting for jobs, so BullMQ asks for no per-command retry limit on it;
  // adding a job keeps ioredis's limit, so a placed order waits a bounded time for a Redis that is away.
  const queueConnection = new Redis(url);
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  for (const connection of [queueConnection, workerConnection]) connection.on('error', () => undefined);
  const queue = new Queue<StepJob>(FULFILMENT_QUEUE, { connection: queueConnection, prefix: FULFILMENT_QUEUE_PREFIX });
  queue.on('error', (error) => deps.logger.warn({ err: error }, 'the fulfilment queue failed'));

  const schedule = async (orderId: string, status: OrderStatus): Promise<void> => {
    const step = nextStep(status);
    if (step === undefined) return;
    await queue.add(
      step,
      { orderId, step },
      {
        jobId: stepJobId(orderId, step),
        delay: deps.stepMs,
        attempts: STEP_ATTEMPTS,
        backoff: { type: 'exponential', delay: RETRY_DELAY_MS },
        // Kept a day, so the same step scheduled again meanwhile is the same job; bounded in count.
        removeOnComplete: { age: 86_400, count: MAX_PENDING_STEPS },
        removeOnFail: { age: 7 * 86_400, count: MAX_PENDING_STEPS },
      },
    );
  };

  const worker = new Worker<StepJob>(FULFILMENT_QUEUE, (job: Job<StepJob>) => runStep(deps, schedule, job.data), {
    connection: workerConnection,
    prefix: FULFILMENT_QUEUE_PREFIX,
    concurrency: 4,
  });
  worker.on('error', (error) => deps.logger.warn({ err: error }, 'the fulfilment worker failed'));
  worker.on('failed', (job, error) => deps.logger.warn({ err: error, orderId: job?.data.orderId }, `fulfilment step ${job?.name ?? ''} failed`));
  void warnUnlessNoEviction(queueConnection, deps.logger);

  return {
    kind: 'queue',
    schedule,
    async close() {
      await worker.close();
      await queue.close();
      queueConnection.disconnect();
      workerConnection.disconnect();
    },
  };
}

/** BullMQ loses jobs in a Redis that evicts keys under memory pressure; say so at start rather than after a lost order. */
async function warnUnlessNoEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    const policy = Array.isArray(reply) ? String(reply[1]) : 'unknown';
    if (policy !== 'noeviction') {
      logger.warn(
        `QUEUE_REDIS_URL's Redis has maxmemory-policy ${policy}: it may evict fulfilment jobs under memory pressure. Set maxmemory-policy noeviction on it (README: "Order lifecycle").`,
      );
    }
  } catch (error) {
    logger.warn({ err: error }, "could not read QUEUE_REDIS_URL's maxmemory-policy; BullMQ needs noeviction");
  }
}
