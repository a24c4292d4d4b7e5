import type { FormattedExecutionResult } from 'graphql';

/** What a transport sends: one event's answer, or the answer that ends the subscription with errors. */
export interface StreamItem {
  readonly result: FormattedExecutionResult;
  /** True for the last item of a subscription that ended on an error (a refusal, an overflow, a subgraph gone). */
  readonly final: boolean;
}

/** A subscription as its transport sees it: items to send, read one at a time, and its end. */
export interface ClientStream extends AsyncIterableIterator<StreamItem> {
  /** Settles when the subscription ends, with what ended it (null for a completion or the client leaving). */
  readonly whenEnded: Promise<FormattedExecutionResult | null>;
  /** True once the last item was read. */
  readonly finished: boolean;
  /** The client left: ends the subscription. */
  return(): Promise<IteratorResult<StreamItem>>;
}

export interface SubscriptionStreamOptions<TEvent> {
  /** Most events held for a consumer that reads slower than they arrive; one more ends the subscription. */
  readonly capacity: number;
  /** Turns one upstream event into the client's answer (the per-event join), when the consumer asks for it. */
  readonly complete: (event: TEvent) => Promise<FormattedExecutionResult>;
  /** The answer that ends a subscription whose buffer overflowed. */
  readonly overflow: () => FormattedExecutionResult;
  /** Called once, when the subscription ends for any reason: with the ending answer, or null when it completed or the client left. */
  readonly onEnd: (ending: FormattedExecutionResult | null) => void;
}

/**
 * One client's subscription between its upstream events and its transport.
 * Events wait in a bounded queue and are joined only when the transport asks
 * for the next one, so a consumer that stops reading costs at most `capacity`
 * raw events and no joins; the event after that ends the subscription with
 * the overflow answer, which the consumer reads next. Pull-based, so other
 * subscribers never wait for a slow one.
 */
export class SubscriptionStream<TEvent> implements ClientStream {
  private readonly queue: TEvent[] = [];
  /** undefined while running; null once it completed; the ending answer once it ended on an error. */
  private ending: FormattedExecutionResult | null | undefined;
  private endingDelivered = false;
  private wake: (() => void) | undefined;
  private resolveEnded: ((ending: FormattedExecutionResult | null) => void) | undefined;
  /** Settles when the subscription ends, with what ended it (null for a completion or the client leaving). */
  readonly whenEnded = new Promise<FormattedExecutionResult | null>((resolve) => {
    this.resolveEnded = resolve;
  });

  constructor(private readonly options: SubscriptionStreamOptions<TEvent>) {}

  /** True once the transport has read the last item: nothing more will come. */
  get finished(): boolean {
    return this.ending !== undefined && (this.ending === null || this.endingDelivered);
  }

  /** True once the subscription has ended (its last item may still be unread). */
  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** An event from upstream; the one past `capacity` ends the subscription instead. */
  push(event: TEvent): void {
    if (this.ending !== undefined) return;
    if (this.queue.length >= this.options.capacity) {
      this.end(this.options.overflow());
      return;
    }
    this.queue.push(event);
    this.notify();
  }

  /** Ends the subscription: with an answer carrying errors, or `null` for a plain completion. Events not yet read are dropped. */
  end(ending: FormattedExecutionResult | null): void {
    if (this.ending !== undefined) return;
    this.ending = ending;
    this.queue.length = 0;
    this.options.onEnd(ending);
    this.resolveEnded?.(ending);
    this.notify();
  }

  async next(): Promise<IteratorResult<StreamItem>> {
    for (;;) {
      const event = this.queue.shift();
      if (event !== undefined) {
        const result = await this.options.complete(event);
        // Ended while it was joined (the client left, the gateway stops): nothing more is sent.
        if (this.ending === null) return { done: true, value: undefined };
        return { done: false, value: { result, final: false } };
      }
      if (this.ending !== undefined) {
        if (this.ending === null || this.endingDelivered) return { done: true, value: undefined };
        this.endingDelivered = true;
        return { done: false, value: { result: this.ending, final: true } };
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** The client left or the transport closed: ends the subscription without another item. */
  async return(): Promise<IteratorResult<StreamItem>> {
    this.end(null);
    this.endingDelivered = true;
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
