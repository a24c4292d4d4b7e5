import { Redis } from 'ioredis';
import { CACHE_PURGE_CHANNEL } from '../../lib/cachePurge.js';
import { GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { Logger } from '../../lib/logger.js';
import type { SubgraphConfig } from './config.js';

/** Tries per purge before it is given up (and logged). */
const PURGE_ATTEMPTS = 3;
const RETRY_DELAY_MS = 250;
const REQUEST_TIMEOUT_MS = 2_000;

/** Tells the gateway which entities changed without a request through it, so it drops cached answers holding them. */
export interface CachePurger {
  /**
   * Publishes `tags` (`Order:12`), trying a few times. Never rejects: a change
   * already made must not fail, or be retried, because the gateway is unreachable.
   */
  purge(tags: readonly string[]): Promise<void>;
  /** Waits for purges under way, then closes its connection. */
  close(): Promise<void>;
}

/**
 * The service's purger: `PUBLISH supergate:cache-purge {"tags":[...]}` with
 * `REDIS_URL`; otherwise, with `CACHE_PURGE_URL`, a POST of the same body to the
 * gateway's `/cache/invalidate` carrying a token the service signs as itself.
 * With neither there is no shared cache to purge, and nothing is sent.
 */
export function createCachePurger(config: SubgraphConfig, logger: Logger): CachePurger {
  const send = purgeTransport(config);
  if (send === undefined) return { purge: async () => undefined, close: async () => undefined };
  const inFlight = new Set<Promise<void>>();
  return {
    purge(tags) {
      if (tags.length === 0) return Promise.resolve();
      const body = JSON.stringify({ tags });
      const attempt = (async () => {
        for (let tries = 1; ; tries += 1) {
          try {
            await send.publish(body);
            return;
          } catch (error) {
            if (tries >= PURGE_ATTEMPTS) {
              logger.warn({ err: error, tags }, `telling the gateway to purge cached answers failed ${tries} times; they expire by their max age`);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** (tries - 1)));
          }
        }
      })();
      inFlight.add(attempt);
      void attempt.finally(() => inFlight.delete(attempt));
      return attempt;
    },
    async close() {
      await Promise.all(inFlight);
      await send.close();
    },
  };
}

interface PurgeTransport {
  publish(body: string): Promise<void>;
  close(): Promise<void>;
}

function purgeTransport(config: SubgraphConfig): PurgeTransport | undefined {
  if (config.redisUrl !== undefined) {
    // Commands fail at once while Redis is away, so the retries above, not ioredis's queue, decide how long a purge waits.
    const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => undefined);
    return {
      publish: async (body) => {
        await redis.publish(CACHE_PURGE_CHANNEL, body);
      },
      close: async () => {
        redis.disconnect();
      },
    };
  }
  const url = config.cachePurgeUrl;
  if (url === undefined) return undefined;
  if (config.signingKey === undefined) throw new Error(`${config.name} purges the gateway's cache over HTTP, so it needs a signing key`);
  const signer = new GatewayTokenSigner(config.signingKey, config.name);
  return {
    async publish(body) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: await signer.sign(null) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the gateway answered the purge with HTTP ${response.status}`);
    },
    close: async () => undefined,
  };
}
