import type { Identity } from '@hub/common';

/** What the gateway knows about one request; its data sources hand the identity on to the subgraphs. */
export interface GatewayContext {
  requestId: string;
  identity: Identity;
}
