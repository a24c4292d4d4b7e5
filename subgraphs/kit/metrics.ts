import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Something that counts one event at a time. */
export interface EventCounter {
  inc(): void;
}

/**
 * One subgraph's Prometheus metrics, served at GET /metrics, in a registry of
 * its own so that services started in one process (tests) keep separate counts.
 */
export class SubgraphMetrics {
  readonly registry = new Registry();
  /** SQL statements sent to the database, including those inside transactions. */
  readonly sqlStatements: EventCounter;
  /** GraphQL operations received over HTTP from a caller the service accepted. */
  readonly graphqlRequests: EventCounter;
  /** Subscriptions listening for events now, over every WebSocket connection. */
  readonly activeSubscriptions: { inc(): void; dec(): void };

  constructor(service: string) {
    collectDefaultMetrics({ register: this.registry });
    const counter = (name: string, help: string): EventCounter =>
      new Counter({ name, help, labelNames: ['service'], registers: [this.registry] }).labels(service);
    this.sqlStatements = counter('subgraph_sql_statements_total', 'SQL statements sent to the database, including those inside transactions.');
    this.graphqlRequests = counter('subgraph_graphql_requests_total', 'GraphQL operations received over HTTP.');
    const active = new Gauge({
      name: 'subgraph_subscriptions_active',
      help: 'Subscriptions listening for events now.',
      labelNames: ['service'],
      registers: [this.registry],
    });
    // Shown as 0 from the start rather than missing until the first subscription.
    active.labels(service).set(0);
    this.activeSubscriptions = active.labels(service);
  }
}
