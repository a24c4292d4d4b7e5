import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub } from 'graphql-subscriptions';
import { Redis } from 'ioredis';

/** What every Redis channel carrying a subgraph's events starts with; the service's name follows. */
export const EVENT_CHANNEL_PREFIX = 'supergate:events:';

/** Events a subscriber may fall behind by before its subscription ends with SUBSCRIPTION_BUFFER_OVERFLOW. */
export const MAX_BUFFERED_EVENTS = 100;

/**
 * An event names what changed by its keys only (`{ orderId }`, `{ upc }`):
 * subscribers read the current state themselves, so an event stays a few bytes
 * and a buffer of them is bounded in bytes by its bound in entries.
 */
export type EventPayload = Readonly<Record<string, string>>;

/** Sends events to every subscriber of a trigger, on every replica. */
export interface EventPublisher {
  /** Resolves once the event is handed to the bus; it never waits for subscribers, and rejects at once while the bus is down. */
  publish(trigger: string, payload: EventPayload): Promise<void>;
}

/** The value a stream yields, once and last, when its subscriber fell too far behind. */
export const BUFFER_OVERFLOW: unique symbol = Symbol('subscription buffer overflow');

export type EventStream = AsyncIterableIterator<EventPayload | typeof BUFFER_OVERFLOW>;

export interface EventBus extends EventPublisher {
  readonly kind: 'redis' | 'memory';
  /**
   * A stream of the events of `triggers`, listening once it resolves. It holds
   * at most `maxBuffered` events its reader has not taken; one more drops them,
   * stops listening and yields `BUFFER_OVERFLOW` before it ends.
   */
  subscribe(triggers: readonly string[], maxBuffered?: number): Promise<EventStream>;
  /** Stops listening and closes the bus's connections. */
  close(): Promise<void>;
}

/** What a request's context holds of the bus: it publishes what its mutations change, and its subscriptions listen. */
export type ContextEvents = Pick<EventBus, 'publish' | 'subscribe'>;

/** For a server executed directly (tests): events go nowhere, and a subscription fails. */
export const DETACHED_EVENTS: ContextEvents = {
  publish: async () => undefined,
  subscribe: () => Promise.reject(new Error('this server was built without an event bus')),
};

/**
 * The service's event bus: over Redis when `redisUrl` is set, so a mutation on
 * any replica reaches the subscribers of every replica; in this process otherwise.
 */
export function createEventBus(service: string, redisUrl: string | undefined): EventBus {
  if (redisUrl === undefined) return pubSubBus('memory', new PubSub(), async () => undefined);
  // A subscribed connection can send nothing else, so publishing takes a second one. It fails at once while
  // Redis is away, rather than holding the mutation that published until Redis is back; the subscriber
  // reconnects and subscribes again by itself.
  const publisher = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(redisUrl);
  for (const connection of [publisher, subscriber]) connection.on('error', () => undefined);
  const engine = new RedisPubSub({ publisher, subscriber });
  const prefix = `${EVENT_CHANNEL_PREFIX}${service}:`;
  return pubSubBus(
    'redis',
    engine,
    async () => {
      await engine.close();
    },
    prefix,
  );
}

/** What both engines do, RedisPubSub without extending graphql-subscriptions' base class. */
interface PubSubEngine {
  publish(trigger: string, payload: EventPayload): Promise<void>;
  subscribe(trigger: string, onMessage: (payload: EventPayload) => void, options: object): Promise<number>;
  unsubscribe(subscriptionId: number): void;
}

function pubSubBus(kind: EventBus['kind'], engine: PubSubEngine, close: () => Promise<void>, prefix = ''): EventBus {
  const streams = new Set<BoundedStream>();
  return {
    kind,
    publish: (trigger, payload) => engine.publish(prefix + trigger, payload),
    async subscribe(triggers, maxBuffered = MAX_BUFFERED_EVENTS) {
      const stream = new BoundedStream(engine, maxBuffered, () => streams.delete(stream));
      streams.add(stream);
      await stream.listen(triggers.map((trigger) => prefix + trigger));
      return stream;
    },
    async close() {
      await Promise.all([...streams].map((stream) => stream.return()));
      await close();
    },
  };
}

/**
 * An async iterator over a pub/sub engine with a bounded buffer. The engines'
 * own iterators queue every event their reader has not taken, without limit;
 * a reader behind a slow socket would hold them all.
 */
class BoundedStream implements EventStream {
  private readonly buffer: (EventPayload | typeof BUFFER_OVERFLOW)[] = [];
  private readonly waiting: ((result: IteratorResult<EventPayload | typeof BUFFER_OVERFLOW>) => void)[] = [];
  private subscriptionIds: number[] = [];
  private done = false;

  constructor(
    private readonly engine: PubSubEngine,
    private readonly maxBuffered: number,
    private readonly onEnd: () => void,
  ) {}

  async listen(channels: readonly string[]): Promise<void> {
    try {
      for (const channel of channels) {
        const id = await this.engine.subscribe(channel, (payload: EventPayload) => this.push(payload), {});
        if (this.done) this.engine.unsubscribe(id);
        else this.subscriptionIds.push(id);
      }
    } catch (error) {
      await this.return();
      throw error;
    }
  }

  next(): Promise<IteratorResult<EventPayload | typeof BUFFER_OVERFLOW>> {
    const value = this.buffer.shift();
    if (value !== undefined) {
      if (value === BUFFER_OVERFLOW) this.finish();
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<EventPayload | typeof BUFFER_OVERFLOW>> {
    this.buffer.length = 0;
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<EventPayload | typeof BUFFER_OVERFLOW>> {
    this.buffer.length = 0;
    this.finish();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private push(payload: EventPayload): void {
    if (this.done || this.buffer.at(-1) === BUFFER_OVERFLOW) return;
    const reader = this.waiting.shift();
    if (reader !== undefined) {
      reader({ value: payload, done: false });
      return;
    }
    if (this.buffer.length < this.maxBuffered) {
      this.buffer.push(payload);
      return;
    }
    // What is buffered would be delivered late and incomplete; the subscriber is told to start over instead.
    this.buffer.length = 0;
    this.buffer.push(BUFFER_OVERFLOW);
    this.unsubscribe();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.unsubscribe();
    for (const reader of this.waiting.splice(0)) reader({ value: undefined, done: true });
    this.onEnd();
  }

  private unsubscribe(): void {
    for (const id of this.subscriptionIds.splice(0)) this.engine.unsubscribe(id);
  }
}
