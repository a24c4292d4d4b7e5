import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GATEWAY_TOKEN_HEADER, type GatewayTokenSigner } from '../../lib/gatewayToken.js';
import type { GatewayContext } from './context.js';
import { ErrorCode, GraphQLErrorWithCode } from './errors.js';

/**
 * Calls one subgraph. Failures to reach it, or HTTP failures, become errors
 * with a stable code and the service's name, never its URL or response body.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly serviceName: string,
    url: string,
    private readonly signer: GatewayTokenSigner,
  ) {
    super({ url });
  }

  /**
   * Only allow-listed client headers are forwarded; the caller's identity travels
   * only as the gateway's signed token, which replaces any client-sent copy.
   */
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (headers === undefined) return;
    // Context is absent for the gateway's own requests (health checks); they go as anonymous.
    if ('forwardedHeaders' in context) {
      const { forwardedHeaders, requestId } = context as GatewayContext;
      for (const [name, value] of Object.entries(forwardedHeaders)) headers.set(name, value);
      headers.set('x-request-id', requestId);
    }
    const viewer = 'viewer' in context ? context.viewer : null;
    headers.set(GATEWAY_TOKEN_HEADER, this.signer.sign(viewer?.sub ?? null, viewer?.scopes ?? []));
  }

  override didEncounterError(error: Error, _fetchRequest: unknown, fetchResponse: { status: number } | undefined): void {
    if (error instanceof GraphQLErrorWithCode) throw error;
    const status = fetchResponse?.status;
    if (status === undefined || status === 502 || status === 503 || status === 504) {
      throw new GraphQLErrorWithCode(ErrorCode.SubgraphUnavailable, `The ${this.serviceName} service is unavailable.`, {
        extensions: { serviceName: this.serviceName },
        originalError: error,
      });
    }
    if (status === 401 || status === 403) {
      throw new GraphQLErrorWithCode(ErrorCode.SubgraphError, `The ${this.serviceName} service refused the gateway's request.`, {
        extensions: { serviceName: this.serviceName },
        originalError: error,
      });
    }
    throw new GraphQLErrorWithCode(ErrorCode.SubgraphError, `The ${this.serviceName} service failed (HTTP ${status}).`, {
      extensions: { serviceName: this.serviceName },
      originalError: error,
    });
  }
}
