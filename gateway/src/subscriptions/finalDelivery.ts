import type { ClientStream } from './SubscriptionStream.js';

/** How long a subscription's last answer may wait on a client that stopped reading. */
const FINAL_DELIVERY_MS = 5_000;

/**
 * Calls `cut` when a subscription ended on an error and its client has not
 * read that last answer within a few seconds: a client that stopped reading
 * never will, and its connection would otherwise stay open for nothing.
 */
export function cutWhenUndelivered(stream: ClientStream, cut: () => void): void {
  void stream.whenEnded.then((ending) => {
    if (ending === null) return;
    setTimeout(() => {
      if (!stream.finished) cut();
    }, FINAL_DELIVERY_MS).unref();
  });
}
