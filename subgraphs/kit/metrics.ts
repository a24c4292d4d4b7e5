import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one subgraph process, served at GET /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const sqlStatements = new Counter({
  name: 'subgraph_sql_statements_total',
  help: 'SQL statements sent to the database, including those inside transactions.',
  labelNames: ['service'],
  registers: [registry],
});

export const graphqlRequests = new Counter({
  name: 'subgraph_graphql_requests_total',
  help: 'GraphQL operations received over HTTP.',
  labelNames: ['service'],
  registers: [registry],
});
