import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { ErrorCode, GraphQLErrorWithCode } from './errors.js';

/**
 * Calls one subgraph. Failures to reach it, or HTTP failures, become errors
 * with a stable code and the service's name, never its URL or response body.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  constructor(readonly serviceName: string, url: string) {
    super({ url });
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
