import type { FormattedExecutionResult } from 'graphql';
import type { Sink } from 'graphql-ws';
import type { ResponseObject } from '../execution/queryPlans/shapeResponse.js';
import type { SubscriptionStream } from './SubscriptionStream.js';

/** One event as the owning subgraph sent it: the primary fetch's data, and any errors beside it. */
export interface UpstreamEvent {
  readonly data: ResponseObject;
  readonly errors: FormattedExecutionResult['errors'];
}

/** One event as its subscribers read it: joined once, by whichever subscriber reads it first. */
export type SharedEvent = () => Promise<FormattedExecutionResult>;

export interface SharedUpstreamOptions {
  /** Subscribes to the owning subgraph; resolves to what unsubscribes. */
  readonly subscribe: (sink: Sink<FormattedExecutionResult>) => Promise<() => void>;
  /** Joins one event into the client's answer. */
  readonly complete: (event: UpstreamEvent) => Promise<FormattedExecutionResult>;
  /** The answer that ends every subscriber when the subgraph ends the subscription with errors. */
  readonly refused: (errors: readonly unknown[]) => FormattedExecutionResult;
  /** The answer that ends every subscriber when the connection to the subgraph is lost. */
  readonly lost: () => FormattedExecutionResult;
  /** Told once, when it has ended and takes no more subscribers. */
  readonly onEnded: () => void;
}

/**
 * One upstream subscription and the client subscriptions that share it: the
 * same operation, variables, caller identity and forwarded headers, so the
 * same answers. Each event is joined once, lazily, and read by every
 * subscriber from its own bounded stream; the upstream subscription ends with
 * its last subscriber, and when it ends every subscriber ends with it.
 */
export class SharedUpstream {
  private readonly subscribers = new Set<SubscriptionStream<SharedEvent>>();
  private unsubscribe: (() => void) | undefined;
  private isEnded = false;

  constructor(private readonly options: SharedUpstreamOptions) {}

  get ended(): boolean {
    return this.isEnded;
  }

  /** How many client subscriptions share it. */
  get size(): number {
    return this.subscribers.size;
  }

  start(): void {
    this.options
      .subscribe({
        next: (value) => {
          if (value.errors !== undefined && (value.data === null || value.data === undefined)) this.endAll(this.options.refused(value.errors));
          else this.broadcast({ data: Object.assign(Object.create(null) as ResponseObject, value.data), errors: value.errors });
        },
        error: (error) => this.endAll(Array.isArray(error) ? this.options.refused(error) : this.options.lost()),
        complete: () => this.endAll(null),
      })
      .then(
        (unsubscribe) => {
          if (this.isEnded) unsubscribe();
          else this.unsubscribe = unsubscribe;
        },
        () => this.endAll(this.options.lost()),
      );
  }

  add(stream: SubscriptionStream<SharedEvent>): void {
    if (this.isEnded) throw new Error('this upstream subscription has ended');
    this.subscribers.add(stream);
  }

  /** A subscriber ended; the last one ends the upstream subscription. */
  remove(stream: SubscriptionStream<SharedEvent>): void {
    this.subscribers.delete(stream);
    if (this.subscribers.size === 0) this.finish();
  }

  private broadcast(event: UpstreamEvent): void {
    let joined: Promise<FormattedExecutionResult> | undefined;
    const shared: SharedEvent = () => (joined ??= this.options.complete(event));
    for (const stream of [...this.subscribers]) stream.push(shared);
  }

  private endAll(ending: FormattedExecutionResult | null): void {
    this.finish();
    for (const stream of [...this.subscribers]) stream.end(ending);
  }

  private finish(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    unsubscribe?.();
    this.options.onEnded();
  }
}
