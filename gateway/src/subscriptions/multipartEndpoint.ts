import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { cutWhenUndelivered } from './finalDelivery.js';
import type { StreamRequest, SubscriptionHub } from './SubscriptionHub.js';

const BOUNDARY = 'graphql';
const PART_HEADER = `\r\n--${BOUNDARY}\r\ncontent-type: application/json; charset=utf-8\r\n\r\n`;
const CLOSING = `\r\n--${BOUNDARY}--\r\n`;
/** Apollo's multipart subscription protocol: an empty part this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 5_000;

/**
 * Serves Apollo's multipart HTTP subscriptions (`Accept:
 * multipart/mixed;subscriptionSpec="1.0"`), which Apollo Client and Apollo
 * Sandbox speak: each event is a part `{"payload": {data, errors}}`, an empty
 * part `{}` is sent every 5 s, and a subscription ending on an error sends a
 * last part `{"payload": null, "errors": [...]}`. A refusal (a bad token, a
 * failed check) is a plain JSON answer with its HTTP status.
 */
export function multipartEndpoint(hub: SubscriptionHub): (res: ServerResponse, request: Omit<StreamRequest, 'protocol'>) => Promise<void> {
  return async (res, request) => {
    const start = await hub.start({ ...request, protocol: 'multipart' });
    if (start.kind === 'answer') {
      res.writeHead(start.status, { ...start.headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(start.body));
      return;
    }
    const { stream } = start;
    res.writeHead(200, { 'content-type': `multipart/mixed;boundary="${BOUNDARY}";subscriptionSpec="1.0"`, 'cache-control': 'no-cache' });
    res.once('close', () => void stream.return());
    cutWhenUndelivered(stream, () => res.destroy());
    let blocked = false;
    const write = async (json: string): Promise<void> => {
      if (res.write(PART_HEADER + json)) return;
      blocked = true;
      await Promise.race([once(res, 'drain'), once(res, 'close')]);
      blocked = false;
    };
    const heartbeat = setInterval(() => {
      // A heartbeat never queues behind a client that stopped reading.
      if (!blocked && res.writable) res.write(`${PART_HEADER}{}`);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      await write('{}');
      for await (const item of stream) {
        if (!res.writable) break;
        await write(item.final ? JSON.stringify({ payload: null, errors: item.result.errors ?? [] }) : JSON.stringify({ payload: item.result }));
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (res.writable) res.end(CLOSING);
  };
}
