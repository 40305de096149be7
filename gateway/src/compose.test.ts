import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSupergraph, subgraphUrls } from './compose.ts';
import { SUPERGRAPH_FILE, subgraphUrlsOf } from './subgraphs.ts';

describe('supergraph composition', () => {
  it('composes the three subgraphs without errors', () => {
    const result = composeSupergraph();
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it('matches the committed gateway/supergraph.graphql (run `npm run compose` after a schema change)', () => {
    const result = composeSupergraph();
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(result.supergraphSdl);
  });

  it('routes to the URLs it is given, so the gateway can serve a supergraph for any deployment', () => {
    const urls = subgraphUrls({ SHAANXI_SUBGRAPH_URL: 'http://shaanxi.internal:8080/graphql' });
    const result = composeSupergraph(urls);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(subgraphUrlsOf(result.supergraphSdl)).toEqual({
      jiangsu: 'http://127.0.0.1:4102/graphql',
      pairing: 'http://127.0.0.1:4103/graphql',
      shaanxi: 'http://shaanxi.internal:8080/graphql',
    });
  });
});
