import { performance } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventProblem, plannedReview, REVIEW_ADDED_SUBSCRIPTION, sequenceOf, type Deliveries, type ExpectedEvents } from './deliveries.js';

/** Connections opened at once; the next batch waits for their `connection_ack`, so the gateway's accept queue never overflows. */
const CONNECT_BATCH = 100;
/** Problems kept word for word for the report; the rest are only counted. */
const KEPT_PROBLEMS = 5;

export interface SubscribersOptions {
  /** The gateway's graphql-ws endpoint, `ws://…/graphql`. */
  readonly url: string;
  readonly count: number;
  /** Subscriptions on each WebSocket; the last connection may hold fewer. */
  readonly perConnection: number;
  /** Sent in `connection_init` of connection number `connection` (from 0), as a browser client sends its token. */
  readonly authorization: (connection: number) => string;
  /** The review bodies of this run start with it. */
  readonly label: string;
  readonly expected: ExpectedEvents;
  /** Mutations the driver will send, warm-up included: sequence numbers run from 0 below it. */
  readonly mutations: number;
  /** How long one batch of connections may take to be acknowledged. @default 30000 */
  readonly connectTimeoutMs?: number;
}

/**
 * Many graphql-ws clients in this process, each subscription checking every
 * event it receives against the expected one and recording when each correct
 * one arrived.
 */
export class Subscribers {
  /** Every correct delivery, in arrival order. */
  readonly deliveries: Deliveries & { readonly seq: number[]; readonly at: number[] } = { seq: [], at: [] };
  /** Events that were not the expected ones (wrong data, an unknown body, errors) or came twice. */
  wrong = 0;
  /** Subscriptions that ended (an error, or `complete`) before they were closed. */
  ended = 0;
  readonly problems: string[] = [];

  private readonly clients: Client[] = [];
  private readonly expectedBySeq: unknown[] = [];
  private closing = false;

  private constructor(private readonly options: SubscribersOptions) {}

  /** Opens every connection and subscription; resolves once every connection is acknowledged, rejects when one is refused. */
  static async open(options: SubscribersOptions): Promise<Subscribers> {
    const subscribers = new Subscribers(options);
    try {
      for (let first = 0; first < options.count; first += CONNECT_BATCH * options.perConnection) {
        const connected: Promise<void>[] = [];
        for (let index = first; index < Math.min(options.count, first + CONNECT_BATCH * options.perConnection); index += options.perConnection)
          connected.push(subscribers.connect(index, Math.min(options.perConnection, options.count - index)));
        await Promise.all(connected);
      }
    } catch (error) {
      await subscribers.close();
      throw error;
    }
    return subscribers;
  }

  /** Disposes of every client; subscriptions ending now are not counted as ended early. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.clients.splice(0).map(async (client) => client.dispose()));
  }

  private connect(firstSubscriber: number, subscriptions: number): Promise<void> {
    const { options } = this;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no connection_ack from ${options.url} within ${options.connectTimeoutMs ?? 30_000} ms`)),
        options.connectTimeoutMs ?? 30_000,
      );
      const client = createClient({
        url: options.url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: options.authorization(this.clients.length) },
        retryAttempts: 0,
        on: {
          connected: () => {
            clearTimeout(timer);
            resolve();
          },
          closed: (event) => {
            clearTimeout(timer);
            const { code, reason } = event as { code?: number; reason?: string };
            reject(new Error(`${options.url} closed the connection before acknowledging it (${String(code)} ${reason ?? ''})`));
          },
        },
      });
      this.clients.push(client);
      for (let offset = 0; offset < subscriptions; offset += 1) this.subscribe(client, firstSubscriber + offset);
    });
  }

  private subscribe(client: Client, subscriber: number): void {
    const seen = new Uint8Array(this.options.mutations);
    client.subscribe(
      { query: REVIEW_ADDED_SUBSCRIPTION, operationName: 'ReviewAdded' },
      {
        next: (event) => {
          const at = performance.now();
          const body = (event.data?.['reviewAdded'] as { body?: unknown } | null | undefined)?.body;
          const seq = sequenceOf(this.options.label, body);
          if (seq === undefined || seq >= this.options.mutations) {
            this.problem(`subscriber ${subscriber}: an event for no review of this run: ${JSON.stringify(event).slice(0, 300)}`);
          } else if (seen[seq] === 1) {
            this.problem(`subscriber ${subscriber}: review #${seq} arrived twice`);
          } else {
            seen[seq] = 1;
            const problem = eventProblem(event, this.expectedEvent(seq));
            if (problem !== undefined) this.problem(`subscriber ${subscriber}, review #${seq}: ${problem}`);
            else {
              this.deliveries.seq.push(seq);
              this.deliveries.at.push(at);
            }
          }
        },
        error: (error) => {
          if (this.closing) return;
          this.ended += 1;
          this.keep(`subscriber ${subscriber} ended with an error: ${describe(error)}`);
        },
        complete: () => {
          if (this.closing) return;
          this.ended += 1;
          this.keep(`subscriber ${subscriber} was completed by the gateway`);
        },
      },
    );
  }

  private expectedEvent(seq: number): unknown {
    return (this.expectedBySeq[seq] ??= this.options.expected.of(plannedReview(this.options.label, seq)));
  }

  private problem(message: string): void {
    this.wrong += 1;
    this.keep(message);
  }

  private keep(message: string): void {
    if (this.problems.length < KEPT_PROBLEMS) this.problems.push(message);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return JSON.stringify(error).slice(0, 300);
  const { code, reason } = (error ?? {}) as { code?: number; reason?: string };
  return code === undefined ? JSON.stringify(error) : `socket closed ${code} ${reason ?? ''}`;
}
