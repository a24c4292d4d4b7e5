import { createHash } from 'node:crypto';
import { ApolloGateway, type GatewayConfig as ApolloGatewayConfig } from '@apollo/gateway';
import { print, type DocumentNode } from 'graphql';
import type { RateLimitArgs } from 'graphql-rate-limit-directive';
import { executeWithCache, type ResponseCaching } from './cache/cachedExecution.js';
import type { QueryLimits } from './config.js';
import type { CostDirectives } from './limits/costDirectives.js';
import type { GatewayContext } from './context.js';
import { ErrorCode, GraphQLErrorWithCode } from '../../lib/errors.js';
import type { SecurityRequirements } from './authorization/securityRequirements.js';
import { enforceQueryLimits } from './limits/enforceQueryLimits.js';
import type { SharedOperations } from './execution/SharedOperations.js';
import { OperationMemo } from './OperationMemo.js';
import type { GatewayMetrics } from './observability/GatewayMetrics.js';
import { rateLimitedError } from './rateLimits/rateLimitedError.js';
import type { EdgeRateLimiter } from './rateLimits/EdgeRateLimiter.js';

type LoadResult = Awaited<ReturnType<ApolloGateway['load']>>;
type Executor = LoadResult['executor'];

export interface EdgeChecks {
  readonly queryLimits: QueryLimits;
  readonly security: SecurityRequirements;
  readonly fieldRateLimits: ReadonlyMap<string, RateLimitArgs>;
  readonly costDirectives: CostDirectives;
  readonly rateLimiter: EdgeRateLimiter;
  /** Where rate-limit rejections are counted. */
  readonly metrics?: GatewayMetrics | undefined;
  /** Absent when the response cache is off. */
  readonly caching?: ResponseCaching | undefined;
  /** Absent when `OPERATION_DEDUPLICATION=off`. */
  readonly sharedOperations?: SharedOperations | undefined;
}

/**
 * An ApolloGateway that runs the edge checks on every operation after
 * validation and before anything is planned or fetched, in this order:
 * 1. query limits: too many directives or selections, too deep, too many
 *    aliases or root fields, too costly: 400 (tokens are counted while parsing);
 * 2. authorization: fields the caller may not read are removed, each with an
 *    error at its path, and the rest executes;
 * 3. rate limits: the operation's cost and each `@rateLimit` field it still
 *    selects are spent from the caller's budgets: 429 when one runs out;
 * 4. identical queries in flight at once share one execution (each request
 *    spends its own budgets before it joins);
 * 5. the response cache: a hit answers here, so it never skips a check above.
 * Apollo runs plugins' `didResolveOperation` hooks concurrently, so checks
 * whose order matters live here rather than in separate plugins.
 */
export class EdgeGateway extends ApolloGateway {
  private readonly memo = new OperationMemo();
  private readonly sharedOperations: SharedOperations | undefined;

  constructor(
    config: ApolloGatewayConfig,
    private checks: EdgeChecks,
  ) {
    super(config);
    this.sharedOperations = checks.sharedOperations;
  }

  /** Enforces a reloaded supergraph's requirements from the next operation on. */
  useSupergraph(supergraph: Pick<EdgeChecks, 'security' | 'fieldRateLimits' | 'costDirectives'>): void {
    const { security, fieldRateLimits, costDirectives } = supergraph;
    this.checks = { ...this.checks, security, fieldRateLimits, costDirectives };
    this.memo.forget();
  }

  override async load(options?: Parameters<ApolloGateway['load']>[0]): Promise<LoadResult> {
    const loaded = await super.load(options);
    return { ...loaded, executor: this.checked(loaded.executor) };
  }

  private checked(execute: Executor): Executor {
    return async (requestContext) => {
      // Read per operation: a reloaded supergraph replaces them.
      const { queryLimits, security, fieldRateLimits, costDirectives, rateLimiter, caching } = this.checks;
      const context = requestContext.context as Partial<GatewayContext>;
      const { schema, operation, operationName } = requestContext;
      if (operation === undefined) {
        throw new GraphQLErrorWithCode(
          ErrorCode.OperationResolutionFailure,
          operationName ? `Unknown operation named "${operationName}".` : 'The document holds several operations; say which to run with operationName.',
          { status: 400 },
        );
      }
      const measure = this.memo.measure(schema, requestContext.document, operation, requestContext.request.variables ?? {}, { defaultListSize: queryLimits.defaultListSize, costDirectives });
      enforceQueryLimits(measure, queryLimits);

      const { document, errors } = this.memo.authorize(schema, requestContext.document, operationName, context.viewer ?? null, security);
      if (document === null) return { data: null, errors };

      const spendBudgets = async (): Promise<void> => {
        if (context.caller === undefined) return;
        const rejection = await rateLimiter.spendOperation(context.caller, measure.cost, this.memo.limitedFields(schema, requestContext.document, document, operationName, fieldRateLimits));
        if (rejection !== null) {
          this.checks.metrics?.rateLimitRejection(rejection.rule);
          throw rateLimitedError(rejection);
        }
      };

      // The plan cache is keyed by queryHash, so a filtered operation needs its own.
      const authorized = errors.length === 0 ? requestContext : { ...requestContext, document, queryHash: queryHashOf(document) };
      // An answer the caller was not authorized for in full is never cached, but what a mutation changed is always purged.
      const { changedEntities, fetchEpoch, forwardedHeaders } = context;
      const run = (): ReturnType<Executor> =>
        caching !== undefined && changedEntities !== undefined && fetchEpoch !== undefined && (errors.length === 0 || operation.operation !== 'query')
          ? executeWithCache(caching, authorized, execute, { viewer: context.viewer ?? null, forwardedHeaders: forwardedHeaders ?? {}, changedEntities, fetchEpoch }, spendBudgets)
          : spendBudgets().then(() => execute(authorized));
      const result =
        this.sharedOperations === undefined
          ? await run()
          : await this.sharedOperations.run(authorized, { viewer: context.viewer ?? null, forwardedHeaders: forwardedHeaders ?? {} }, run, spendBudgets);
      return errors.length === 0 ? result : { ...result, errors: [...errors, ...(result.errors ?? [])] };
    };
  }
}

/** Filtered documents are remembered per kind of caller, so each is printed and hashed once, not on every request. */
const filteredQueryHashes = new WeakMap<DocumentNode, string>();

function queryHashOf(document: DocumentNode): string {
  let hash = filteredQueryHashes.get(document);
  if (hash === undefined) {
    hash = createHash('sha256').update(print(document)).digest('hex');
    filteredQueryHashes.set(document, hash);
  }
  return hash;
}
