import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpError } from '../../../lib/http/HttpError.js';
import type { Logger } from '../../../lib/logger.js';
import type { GatewayMetrics, RequestOutcome } from './GatewayMetrics.js';

export interface RequestObserverOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** The GraphQL endpoint; requests to other paths (health, metrics) and CORS preflights are neither logged nor counted. @default '/graphql' */
  readonly graphqlPath?: string;
}

/** What the GraphQL pipeline learned about a request, reported by `useRequestObserver`. */
export interface OperationDetails {
  /** The operation's name as resolved from the document; null when anonymous, undefined when never resolved. */
  readonly resolvedName: string | null | undefined;
  /** The name the client asked for, kept for the log when the document could not be resolved. */
  readonly requestedName: string | undefined;
  /** `extensions.code` of each error in the answer, as the client sees it. */
  readonly errorCodes: readonly string[];
}

/**
 * Links a context to its request. Apollo runs each operation on a shallow copy
 * of the context, so the object's identity is lost but its own properties,
 * symbol-keyed ones included, are kept.
 */
const RECORD = Symbol('supergate.requestRecord');

interface RequestRecord {
  readonly requestId: string;
  readonly method: string;
  readonly startedAt: number;
  operation: OperationDetails | undefined;
  /** Codes of errors answered outside Apollo (authentication, the request budget). */
  readonly httpErrorCodes: string[];
}

/**
 * Follows each GraphQL request from arrival to its last byte: tags the answer
 * with `X-Request-Id`, then writes one log line and counts the request. The
 * final status and `X-Cache` header are read from the response itself, so
 * answers given before Apollo runs (401, the 429 of the request budget) and
 * headers set by any plugin are seen too.
 */
export class RequestObserver {
  private readonly byRequest = new WeakMap<IncomingMessage, RequestRecord>();
  private readonly graphqlPath: string;

  constructor(private readonly options: RequestObserverOptions) {
    this.graphqlPath = options.graphqlPath ?? '/graphql';
  }

  /** Call first for every HTTP request. */
  observe(req: IncomingMessage, res: ServerResponse): void {
    const record: RequestRecord = {
      requestId: requestIdOf(req),
      method: req.method ?? 'GET',
      startedAt: performance.now(),
      operation: undefined,
      httpErrorCodes: [],
    };
    this.byRequest.set(req, record);
    res.setHeader('x-request-id', record.requestId);
    // CORS preflights carry no operation; counting them would dilute every rate.
    if (record.method === 'OPTIONS' || pathOf(req) !== this.graphqlPath) return;
    // 'close' also fires when the client goes away before the answer is complete.
    res.once('close', () => this.finish(record, res));
  }

  /** The request's id: its valid `X-Request-Id`, or one generated for it. */
  requestId(req: IncomingMessage): string {
    return this.byRequest.get(req)?.requestId ?? requestIdOf(req);
  }

  /** Wraps the context builder, linking each context to its request and noting the code of an `HttpError` it throws. */
  observeContext<TContext extends object>(build: (req: IncomingMessage) => Promise<TContext>): (req: IncomingMessage) => Promise<TContext> {
    return async (req) => {
      const record = this.byRequest.get(req);
      try {
        const context = await build(req);
        if (record !== undefined) Object.defineProperty(context, RECORD, { value: record, enumerable: true });
        return context;
      } catch (error) {
        if (record !== undefined && error instanceof HttpError) record.httpErrorCodes.push(error.code);
        throw error;
      }
    };
  }

  /** Records what the GraphQL pipeline learned about the request `context` belongs to. */
  describe(context: object, operation: OperationDetails): void {
    const record = (context as { [RECORD]?: RequestRecord })[RECORD];
    if (record !== undefined) record.operation = operation;
  }

  private finish(record: RequestRecord, res: ServerResponse): void {
    const seconds = (performance.now() - record.startedAt) / 1000;
    const aborted = !res.writableFinished;
    const errorCodes = [...record.httpErrorCodes, ...(record.operation?.errorCodes ?? [])];
    const outcome = aborted ? 'error' : requestOutcome(res.statusCode, errorCodes);
    this.options.metrics.request(record.operation?.resolvedName, outcome, seconds);
    const cache = res.getHeader('x-cache');
    this.options.logger.info(
      {
        requestId: record.requestId,
        method: record.method,
        operationName: record.operation?.resolvedName ?? record.operation?.requestedName,
        status: res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        cache: typeof cache === 'string' ? cache : undefined,
        errorCodes,
        outcome,
        ...(aborted ? { aborted: true } : {}),
      },
      'graphql request',
    );
  }
}

/** A 4xx means the gateway refused the request; errors in any other answer make it an error. */
export function requestOutcome(status: number, errorCodes: readonly string[]): RequestOutcome {
  if (status >= 400 && status < 500) return 'rejected';
  if (status >= 500 || errorCodes.length > 0) return 'error';
  return 'success';
}

/** Split by hand: `new URL` throws on some request targets, and this runs outside any error handler. */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?', 1)[0] ?? '/';
}

/** A client's `X-Request-Id` when it is a plausible id, else a fresh UUID; never an arbitrary string in logs. */
export function requestIdOf(req: IncomingMessage): string {
  const value = req.headers['x-request-id'];
  const first = Array.isArray(value) ? value[0] : value;
  return first !== undefined && /^[\w.:-]{1,128}$/.test(first) ? first : randomUUID();
}
