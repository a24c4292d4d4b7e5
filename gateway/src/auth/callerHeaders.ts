import { GATEWAY_TOKEN_HEADER, type GatewayTokenSigner } from '../../../lib/gatewayToken.js';
import type { GatewayContext } from '../context.js';
import type { SubgraphRequest } from '../execution/executorTypes.js';

/**
 * Sets what a subgraph learns of the caller on one request's headers. Only
 * allow-listed client headers are forwarded; the caller's identity travels
 * only as the gateway's signed token, which replaces any client-sent copy.
 */
export async function setCallerHeaders(headers: Headers, context: SubgraphRequest['context'], signer: GatewayTokenSigner): Promise<void> {
  // Context is absent for the gateway's own requests (health checks); they go as anonymous.
  if ('forwardedHeaders' in context) {
    const { forwardedHeaders, requestId } = context as GatewayContext;
    for (const [name, value] of Object.entries(forwardedHeaders)) headers.set(name, value);
    headers.set('x-request-id', requestId);
  }
  const viewer = 'viewer' in context ? (context as GatewayContext).viewer : null;
  headers.set(GATEWAY_TOKEN_HEADER, await signer.sign(viewer?.sub ?? null, viewer?.scopes ?? []));
}
