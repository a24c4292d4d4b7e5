import { createClient, type RedisClientType } from '@keyv/redis';

/** A node-redis client without modules or scripts, speaking RESP2 (what `createClient({ url })` returns). */
export type RedisClient = RedisClientType;

/** How long start-up waits for Redis before serving without it. */
const FIRST_CONNECT_WAIT_MS = 3000;

/**
 * The gateway's one Redis client, shared by rate limits, the response cache and
 * persisted queries. Commands fail at once while Redis is away (no offline
 * queue), so callers fall back instead of hanging; the client reconnects on its
 * own, and each outage and recovery is logged once.
 */
export class RedisConnection {
  readonly client: RedisClient;
  private down = false;

  constructor(
    url: string,
    private readonly log: (level: 'warn' | 'info', message: string) => void,
  ) {
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000) },
    });
    this.client.on('error', (error: unknown) => this.markDown(error));
    this.client.on('ready', () => {
      if (this.down) this.log('info', 'Redis is reachable again; shared state is back in Redis.');
      this.down = false;
    });
  }

  /** True while commands reach Redis. */
  get available(): boolean {
    return this.client.isReady;
  }

  /** Connects, but never blocks start-up on Redis for longer than a few seconds. */
  async connect(): Promise<void> {
    const connecting = this.client.connect().then(
      () => undefined,
      (error: unknown) => this.markDown(error),
    );
    await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_WAIT_MS).unref())]);
    if (!this.client.isReady) this.markDown(new Error('not reachable at start-up'));
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close().catch(() => undefined);
    else this.client.destroy();
  }

  private markDown(error: unknown): void {
    if (this.down) return;
    this.down = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.log('warn', `Redis is unavailable (${reason}); rate limits fall back to per-process counters until it returns.`);
  }
}
