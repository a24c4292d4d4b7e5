import { createClient } from '@keyv/redis';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Where Redis-backed targets keep their shared state: BENCH_REDIS_URL, else the local default. */
export function benchRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env['BENCH_REDIS_URL']?.trim() ?? '';
  if (raw === '') return DEFAULT_REDIS_URL;
  if (!URL.canParse(raw) || !/^rediss?:$/.test(new URL(raw).protocol)) throw new Error(`BENCH_REDIS_URL must be a redis:// or rediss:// URL; got "${raw}"`);
  return raw;
}

/** Why Redis at `url` cannot be used (no answer to PING within the timeout); undefined when it answers. */
export async function redisUnavailable(url: string, timeoutMs = 3_000): Promise<string | undefined> {
  const client = createClient({ url, disableOfflineQueue: true, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    return undefined;
  } catch (error) {
    return `Redis not reachable at ${redactedUrl(url)} (${error instanceof Error ? error.message : String(error)}); set BENCH_REDIS_URL to use another`;
  } finally {
    clearTimeout(timer);
    if (client.isOpen) await client.close().catch(() => undefined);
    else {
      try {
        client.destroy();
      } catch {
        // Never connected: nothing to close.
      }
    }
  }
}

/** The URL without its password, for output and the results file. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
