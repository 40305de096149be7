import type { Identity } from '@hub/common';

/** What the gateway knows about one request; its data sources hand the identity on to the subgraphs. */
export interface GatewayContext {
  requestId: string;
  identity: Identity;
  /**
   * A read that pages through everything once (a download): the response cache neither answers
   * it nor keeps its answers, which would push out the ones asked again and again.
   */
  uncached?: boolean;
}
