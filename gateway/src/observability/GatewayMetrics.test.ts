import { describe, expect, it } from 'vitest';
import { ANONYMOUS_OPERATION, GatewayMetrics, MAX_OPERATION_LABEL_LENGTH, OTHER_OPERATION } from './GatewayMetrics.js';

/** The samples of one counter as `labels → value`, labels written `k=v,k=v` in name order. */
async function samples(metrics: GatewayMetrics, name: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  if (metric === undefined) return {};
  const result: Record<string, number> = {};
  for (const { labels, value } of (await metric.get()).values) {
    const key = Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([label, labelValue]) => `${label}=${String(labelValue)}`)
      .join(',');
    result[key] = value;
  }
  return result;
}

describe('gateway metrics', () => {
  it('counts and times requests by operation name and outcome', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.request('TopProducts', 'success', 0.02);
    metrics.request('TopProducts', 'success', 0.03);
    metrics.request('TopProducts', 'error', 0.5);
    metrics.request(null, 'rejected', 0.001);
    metrics.request(undefined, 'rejected', 0.001);

    expect(await samples(metrics, 'gateway_requests_total')).toEqual({
      'operation=TopProducts,outcome=success': 2,
      'operation=TopProducts,outcome=error': 1,
      [`operation=${ANONYMOUS_OPERATION},outcome=rejected`]: 2,
    });
    const text = await metrics.render();
    expect(text).toContain('gateway_request_duration_seconds_count{operation="TopProducts",outcome="success"} 2');
    expect(text).toContain('gateway_request_duration_seconds_sum{operation="TopProducts",outcome="success"} 0.05');
  });

  it('gives the first operation names a label each and counts the rest as (other)', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false, maxOperationNames: 3 });
    for (const name of ['A', 'B', 'C', 'D', 'E', 'A', 'D']) metrics.request(name, 'success', 0.01);
    metrics.request(null, 'success', 0.01);

    expect(await samples(metrics, 'gateway_requests_total')).toEqual({
      'operation=A,outcome=success': 2,
      'operation=B,outcome=success': 1,
      'operation=C,outcome=success': 1,
      [`operation=${OTHER_OPERATION},outcome=success`]: 3,
      // Anonymous operations never use up a slot.
      [`operation=${ANONYMOUS_OPERATION},outcome=success`]: 1,
    });
  });

  it('keeps the label set bounded however many names clients invent', () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const labels = new Set<string>();
    for (let n = 0; n < 10_000; n += 1) labels.add(metrics.operationLabel(`Op${n}`));
    expect(labels.size).toBe(101);
    expect(labels.has(OTHER_OPERATION)).toBe(true);
    expect(metrics.operationLabel('Op0')).toBe('Op0');
  });

  it('cuts a very long operation name down to a bounded label', () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    const name = `Op${'x'.repeat(100_000)}`;
    const label = metrics.operationLabel(name);
    expect(label).toBe(`${name.slice(0, MAX_OPERATION_LABEL_LENGTH)}…`);
    expect(metrics.operationLabel(`${name}y`)).toBe(label);
  });

  it('times subgraph fetches and counts the failed ones by subgraph', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    metrics.subgraphFetch('products', 0.01, true);
    metrics.subgraphFetch('products', 0.02, true);
    metrics.subgraphFetch('reviews', 1.5, false);

    expect(await samples(metrics, 'gateway_subgraph_errors_total')).toEqual({ 'subgraph=reviews': 1 });
    const text = await metrics.render();
    expect(text).toContain('gateway_subgraph_fetch_duration_seconds_count{subgraph="products"} 2');
    expect(text).toContain('gateway_subgraph_fetch_duration_seconds_count{subgraph="reviews"} 1');
  });

  it('exports cache, rate-limit and reload counters, zero-valued until the first event', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect(await samples(metrics, 'gateway_cache_lookups_total')).toEqual({ 'outcome=hit': 0, 'outcome=miss': 0, 'outcome=bypass': 0 });
    expect(await samples(metrics, 'gateway_supergraph_reloads_total')).toEqual({ 'outcome=success': 0, 'outcome=failure': 0 });

    metrics.cacheLookup('hit');
    metrics.cacheLookup('hit');
    metrics.cacheLookup('miss');
    metrics.cacheInvalidation(3);
    metrics.cacheInvalidation();
    metrics.rateLimitRejection('requests');
    metrics.rateLimitRejection('Mutation.addReview');
    metrics.rateLimitRejection('requests');
    metrics.supergraphReload('success');

    expect(await samples(metrics, 'gateway_cache_lookups_total')).toEqual({ 'outcome=hit': 2, 'outcome=miss': 1, 'outcome=bypass': 0 });
    expect(await samples(metrics, 'gateway_cache_invalidations_total')).toEqual({ '': 4 });
    expect(await samples(metrics, 'gateway_rate_limit_rejections_total')).toEqual({ 'rule=requests': 2, 'rule=Mutation.addReview': 1 });
    expect(await samples(metrics, 'gateway_supergraph_reloads_total')).toEqual({ 'outcome=success': 1, 'outcome=failure': 0 });
  });

  it('reports Redis only once told about it, as 1 or 0', async () => {
    const metrics = new GatewayMetrics({ processMetrics: false });
    expect(await metrics.render()).not.toContain('gateway_redis_available');
    metrics.redisAvailable(true);
    expect(await metrics.render()).toContain('gateway_redis_available 1');
    metrics.redisAvailable(false);
    expect(await metrics.render()).toContain('gateway_redis_available 0');
  });

  it('keeps two gateways in one process apart, each with process metrics', async () => {
    const first = new GatewayMetrics();
    const second = new GatewayMetrics();
    first.request('Mine', 'success', 0.01);
    expect(await samples(first, 'gateway_requests_total')).toEqual({ 'operation=Mine,outcome=success': 1 });
    expect(await samples(second, 'gateway_requests_total')).toEqual({});
    expect(await second.render()).toContain('process_cpu_user_seconds_total');
    expect(second.contentType).toMatch(/^text\/plain/);
  });
});
