import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import jwt from 'jsonwebtoken';
import { DEVELOPMENT_JWT_SECRET, readGatewayConfig } from '../../gateway/src/config.js';
import { GATEWAY_ISSUER, GATEWAY_TOKEN_HEADER, GatewayTokenSigner } from '../../lib/gatewayToken.js';
import { readCounter } from '../../test/support/http.js';
import { waitFor } from '../../test/support/waitFor.js';
import type { Cleanup } from '../Cleanup.js';
import type { CpuPinning } from '../cpuPinning.js';
import { startAvailableTarget, type TargetProcess } from '../processes.js';
import { startSubgraphs } from '../subgraphs.js';
import {
  ADD_REVIEW_MUTATION,
  AUTHOR_COUNT,
  expectationQueries,
  ExpectedEvents,
  plannedReview,
  summariseDeliveries,
  type DeliverySummary,
} from './deliveries.js';
import type { SubscriptionTarget } from './subscriptionTargets.js';
import { Subscribers } from './Subscribers.js';

/** The gauge every shop subgraph keeps of the subscriptions listening on it. */
const ACTIVE_SUBSCRIPTIONS = 'subgraph_subscriptions_active';
/** The longest a mutation's answer is waited for. */
const MUTATION_TIMEOUT_MS = 10_000;
/** After the last answer, how long deliveries may pause before the missing ones count as lost. */
const DRAIN_QUIET_MS = 5_000;
/** After the last answer, the longest a gateway that fell behind has to deliver the rest; what is still missing then counts as lost. */
const DRAIN_LIMIT_MS = 60_000;
/** Problems per target kept word for word. */
const KEPT_PROBLEMS = 5;

export interface SubscriptionsWorkloadOptions {
  readonly targets: readonly SubscriptionTarget[];
  readonly subscribers: number;
  readonly perConnection: number;
  /** Distinct users the connections sign in as, in turn: 1 lets equal subscriptions share, more shows what each caller costs. */
  readonly callers: number;
  /** Mutations per second, warm-up and measured run alike. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly pinning: CpuPinning | undefined;
  readonly cleanup: Cleanup;
  readonly log: (line: string) => void;
  readonly interrupted: () => boolean;
}

/** One target's run. */
export interface SubscriptionMeasurement {
  readonly target: string;
  readonly subscribers: number;
  readonly connections: number;
  readonly summary: DeliverySummary;
  /** Events that were not the expected ones, or came twice, over the whole run. */
  readonly wrongEvents: number;
  /** Subscriptions the gateway ended before the bench closed them. */
  readonly endedEarly: number;
  /** The gateway process's CPU time over the measured window, as a share of one core: near 100 means the gateway, not the subgraphs, set the pace. */
  readonly gatewayCpuPercent: number | undefined;
  /** Gateway RSS before any subscriber, with all of them subscribed (before any event), and after the run. */
  readonly rssBeforeMb: number | undefined;
  readonly rssConnectedMb: number | undefined;
  readonly rssAfterMb: number | undefined;
}

export interface SubscriptionsResult {
  readonly measurements: SubscriptionMeasurement[];
  readonly failures: string[];
  readonly skipped: string[];
  /** What a reader of the figures needs to know, per target. */
  readonly notes: string[];
  /** Which database the subgraphs used, for the results. */
  readonly database: string;
}

/**
 * Starts the shop's subgraphs once, then each target in turn on the gateway core:
 * checks its plain-query answer for the expected join, connects the subscribers,
 * drives `addReview` at a steady rate straight to the reviews subgraph, and checks
 * and times every event each subscriber receives.
 */
export async function runSubscriptions(options: SubscriptionsWorkloadOptions): Promise<SubscriptionsResult> {
  const failures: string[] = [];
  const skipped: string[] = [];
  const notes: string[] = [];
  const measurements: SubscriptionMeasurement[] = [];
  const childEnv = { NODE_ENV: 'development', HOST: '127.0.0.1' };
  const subgraphs = await startSubgraphs({ env: childEnv, cleanup: options.cleanup, log: options.log, interrupted: options.interrupted });
  const reviewsUrl = subgraphs.gatewayEnv['SUBGRAPH_REVIEWS_URL'];
  if (reviewsUrl === undefined) throw new Error('the reviews subgraph has no URL');
  // Signs as the gateway would: the driver writes reviews as u1..u60 straight to the reviews subgraph.
  const { gatewaySigningKey } = readGatewayConfig({ ...process.env, ...childEnv, ...subgraphs.gatewayEnv });
  const signer = new GatewayTokenSigner(gatewaySigningKey, GATEWAY_ISSUER, 12 * 60 * 60);
  const authorTokens = new Map<string, string>();
  for (let index = 1; index <= AUTHOR_COUNT; index += 1) authorTokens.set(`u${index}`, await signer.sign(`u${index}`));
  // Connections sign in as u1..u<callers> in turn; with one caller, as the shop workload sends one token on every connection.
  const callerTokens = Array.from(
    { length: options.callers },
    (_, index) => `Bearer ${jwt.sign({ scope: '' }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: `u${index + 1}`, expiresIn: '12h' })}`,
  );
  const authorization = (connection: number): string => callerTokens[connection % callerTokens.length]!;
  const load = { subscribers: options.subscribers, perConnection: options.perConnection };
  let reference: unknown;

  for (const target of options.targets) {
    const running = await startAvailableTarget(
      target,
      { ...childEnv, PORT: '0', ...subgraphs.gatewayEnv, ...target.env(load) },
      { skipped, failures, log: options.log },
      { cpu: options.pinning?.gatewayCpu },
    );
    if (running === undefined) continue;
    const stop = options.cleanup.add(() => running.stop());
    try {
      options.log(`${target.name}: listening on ${running.url} (pid ${running.pid})`);
      const expectation = await askExpectations(running.url, authorization(0));
      if (typeof expectation === 'string' || (reference !== undefined && !isDeepStrictEqual(expectation, reference))) {
        const problem =
          typeof expectation === 'string' ? expectation : `its answer differs from the first target's: ${JSON.stringify(expectation).slice(0, 300)}`;
        failures.push(`${target.name}: the expectation queries failed, not measured: ${problem}`);
        options.log(`FAILED ${String(failures.at(-1))}\n  last output of ${target.name}:\n${running.recentOutput().replace(/^/gm, '    ')}`);
        continue;
      }
      reference ??= expectation;
      const measured = await measureTarget(target, running, {
        ...options,
        expected: new ExpectedEvents(expectation),
        authorization,
        reviewsUrl,
        authorTokens,
        problems: (line) => failures.push(`${target.name}: ${line}`),
        notes: (line) => notes.push(`${target.name}: ${line}`),
      });
      if (measured !== undefined) measurements.push(measured);
    } catch (error) {
      failures.push(`${target.name}: ${error instanceof Error ? error.message : String(error)}`);
      options.log(`FAILED ${String(failures.at(-1))}\n  last output of ${target.name}:\n${running.recentOutput().replace(/^/gm, '    ')}`);
    } finally {
      await stop();
    }
  }
  return { measurements, failures, skipped, notes, database: subgraphs.database };
}

/** The plain queries' data, merged, or what was wrong with an answer. */
async function askExpectations(url: string, authorization: string): Promise<Record<string, unknown> | string> {
  const data: Record<string, unknown> = {};
  for (const query of expectationQueries()) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, operationName: 'SubscriptionExpectations' }),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return `HTTP ${response.status}, not JSON: ${text.slice(0, 300)}`;
    }
    if (response.status !== 200 || body.errors !== undefined || typeof body.data !== 'object' || body.data === null)
      return `HTTP ${response.status}: ${text.slice(0, 300)}`;
    Object.assign(data, body.data);
  }
  return data;
}

interface TargetRun extends SubscriptionsWorkloadOptions {
  /** The token connection number `connection` signs in with. */
  readonly authorization: (connection: number) => string;
  readonly expected: ExpectedEvents;
  readonly reviewsUrl: string;
  readonly authorTokens: ReadonlyMap<string, string>;
  /** Records one problem that makes the run's numbers suspect. */
  readonly problems: (line: string) => void;
  /** Records what a reader of the figures needs to know. */
  readonly notes: (line: string) => void;
}

async function measureTarget(target: SubscriptionTarget, running: TargetProcess, run: TargetRun): Promise<SubscriptionMeasurement | undefined> {
  const label = `subscriptions bench ${target.name} ${Date.now().toString(36)}`;
  const warmupMutations = run.warmupSeconds * run.rate;
  const measuredMutations = run.durationSeconds * run.rate;
  const mutations = warmupMutations + measuredMutations;
  const connections = Math.ceil(run.subscribers / run.perConnection);
  const rssBeforeMb = running.rssMb();
  const listening = await readCounter(run.reviewsUrl, ACTIVE_SUBSCRIPTIONS);

  run.log(`${target.name}: connecting ${run.subscribers} subscribers on ${connections} connections`);
  const subscribers = await Subscribers.open({
    url: running.url.replace(/^http/, 'ws'),
    count: run.subscribers,
    perConnection: run.perConnection,
    authorization: run.authorization,
    label,
    expected: run.expected,
    mutations,
  });
  try {
    // Subscribed once the gateway counts every one (or, for a gateway that cannot say, the reviews subgraph does), and
    // reviews has at least one: the gateway subscribes upstream after it acknowledged the connection.
    const { subscribed } = target;
    await waitFor(
      `${run.subscribers} subscriptions on ${subscribed === undefined ? 'the reviews subgraph' : 'the gateway'}`,
      async () => {
        if (subscribers.ended > 0) return true;
        const upstream = (await readCounter(run.reviewsUrl, ACTIVE_SUBSCRIPTIONS)) - listening;
        return upstream >= 1 && (subscribed === undefined ? upstream : await subscribed(running.url)) >= run.subscribers;
      },
      60_000,
    );
    const upstreamSubscriptions = (await readCounter(run.reviewsUrl, ACTIVE_SUBSCRIPTIONS)) - listening;
    run.notes(`${run.subscribers} client subscriptions over ${upstreamSubscriptions} subscription(s) to the reviews subgraph`);
    if (subscribers.ended > 0) {
      run.problems(`${subscribers.ended} subscriptions ended before any event, not measured: ${subscribers.problems.join('; ')}`);
      return undefined;
    }
    // Let the subscribe work settle (buffers, lazily compiled plans) before reading the memory it holds.
    await sleep(2_000);
    const rssConnectedMb = running.rssMb();
    run.log(`${target.name}: ${run.subscribers} subscribed; ${run.warmupSeconds} s warm-up, then ${run.durationSeconds} s measured at ${run.rate} addReview/s`);

    let cpuAtStart: number | undefined;
    let cpuAtEnd: number | undefined;
    const driven = await driveMutations({
      ...run,
      label,
      mutations,
      windowFrom: warmupMutations,
      atWindowStart: () => (cpuAtStart = running.cpuSeconds()),
      atWindowEnd: () => (cpuAtEnd = running.cpuSeconds()),
    });
    const answered = countAnswered(driven.answeredAt, 0, mutations);
    const drained = await drain(subscribers, answered * run.subscribers);
    const rssAfterMb = running.rssMb();
    const windowStart = driven.startedAt + run.warmupSeconds * 1000;
    const summary = summariseDeliveries({
      deliveries: subscribers.deliveries,
      answeredAt: driven.answeredAt,
      firstSeq: warmupMutations,
      endSeq: mutations,
      windowStart,
      windowEnd: windowStart + run.durationSeconds * 1000,
      subscribers: run.subscribers,
    });
    for (const problem of driven.problems) run.problems(`mutation: ${problem}`);
    if (subscribers.wrong > 0 || subscribers.ended > 0)
      run.problems(`${subscribers.wrong} wrong or repeated events, ${subscribers.ended} subscriptions ended early: ${subscribers.problems.join('; ')}`);
    const missing = `${summary.expected - summary.delivered} of ${summary.expected} deliveries of the measured mutations`;
    if (drained === 'stopped') run.problems(`${missing} never arrived: none came in the ${DRAIN_QUIET_MS / 1000} s after the last one`);
    if (drained === 'behind')
      run.notes(`${missing} had not arrived ${DRAIN_LIMIT_MS / 1000} s after the last answer, though events were still coming: it fell behind`);
    run.log(
      `${target.name}: ${summary.eventsPerSecond.toFixed(0)} events/s, p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms, ${summary.delivered}/${summary.expected} delivered, ${subscribers.wrong} wrong`,
    );
    return {
      target: target.name,
      subscribers: run.subscribers,
      connections,
      summary,
      wrongEvents: subscribers.wrong,
      endedEarly: subscribers.ended,
      gatewayCpuPercent: cpuAtStart === undefined || cpuAtEnd === undefined ? undefined : ((cpuAtEnd - cpuAtStart) / run.durationSeconds) * 100,
      rssBeforeMb,
      rssConnectedMb,
      rssAfterMb,
    };
  } finally {
    await subscribers.close();
    // The next target starts from none listening, so its count is its own.
    await waitFor(
      'the subscriptions to end on the reviews subgraph',
      async () => (await readCounter(run.reviewsUrl, ACTIVE_SUBSCRIPTIONS)) <= listening,
      30_000,
    ).catch((error: unknown) => run.log(`${target.name}: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function countAnswered(answeredAt: Float64Array, from: number, to: number): number {
  let count = 0;
  for (let seq = from; seq < to; seq += 1) if (!Number.isNaN(answeredAt[seq]!)) count += 1;
  return count;
}

/**
 * Sends `addReview` number `seq` at `seq / rate` seconds after the start, without
 * waiting for earlier answers, and records when each right answer arrived.
 */
async function driveMutations(
  run: TargetRun & {
    readonly label: string;
    readonly mutations: number;
    /** The first measured mutation: `atWindowStart` runs as it is sent, `atWindowEnd` once the measured seconds are over. */
    readonly windowFrom: number;
    readonly atWindowStart: () => void;
    readonly atWindowEnd: () => void;
  },
): Promise<{
  readonly startedAt: number;
  readonly answeredAt: Float64Array;
  readonly problems: string[];
}> {
  const answeredAt = new Float64Array(run.mutations).fill(Number.NaN);
  const problems: string[] = [];
  let failed = 0;
  const sent: Promise<void>[] = [];
  const startedAt = performance.now();
  for (let seq = 0; seq < run.mutations; seq += 1) {
    const due = startedAt + (seq * 1000) / run.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (seq === run.windowFrom) run.atWindowStart();
    const review = plannedReview(run.label, seq);
    sent.push(
      (async () => {
        const response = await fetch(run.reviewsUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [GATEWAY_TOKEN_HEADER]: run.authorTokens.get(review.authorId)! },
          body: JSON.stringify({ query: ADD_REVIEW_MUTATION, operationName: 'AddReview', variables: { upc: review.upc, body: review.body } }),
          signal: AbortSignal.timeout(MUTATION_TIMEOUT_MS),
        });
        const text = await response.text();
        const at = performance.now();
        const body = JSON.parse(text) as { data?: { addReview?: { body?: unknown } } | null; errors?: unknown };
        if (response.status !== 200 || body.errors !== undefined || body.data?.addReview?.body !== review.body)
          throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
        answeredAt[seq] = at;
      })().catch((error: unknown) => {
        failed += 1;
        if (problems.length < KEPT_PROBLEMS) problems.push(`review #${seq}: ${error instanceof Error ? error.message : String(error)}`);
      }),
    );
  }
  const windowEnd = startedAt + (run.mutations * 1000) / run.rate - performance.now();
  if (windowEnd > 0) await sleep(windowEnd);
  run.atWindowEnd();
  await Promise.all(sent);
  if (failed > problems.length) problems.push(`${failed} mutations failed in all`);
  return { startedAt, answeredAt, problems };
}

/**
 * Waits until every expected delivery is in (`complete`), none has come for a
 * while though some are missing (`stopped`: events were lost), or the drain's
 * time is up while they still come (`behind`).
 */
async function drain(subscribers: Subscribers, expected: number): Promise<'complete' | 'stopped' | 'behind'> {
  const deadline = performance.now() + DRAIN_LIMIT_MS;
  let last = -1;
  let quietSince = performance.now();
  while (performance.now() < deadline) {
    const received = subscribers.deliveries.seq.length + subscribers.wrong;
    if (received >= expected) return 'complete';
    if (received !== last) {
      last = received;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > DRAIN_QUIET_MS) return 'stopped';
    await sleep(50);
  }
  return 'behind';
}
