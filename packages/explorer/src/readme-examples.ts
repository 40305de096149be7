/** An operation from README's "Example queries", opened as a tab of its own in the explorer. */
export interface ExampleTab {
  query: string;
  /** JSON, as the variables editor shows it; absent when the example takes none. */
  variables?: string;
}

const SECTION = '## Example queries';

/**
 * The example operations of README's "Example queries" section, in order, each with the
 * variables its sentence names ("with variables `{ "code": "610927" }`"). Read at build time,
 * so the explorer's tabs are README's examples as written, never a copy that drifts from them.
 */
export function readmeExamples(readme: string): ExampleTab[] {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start === -1) throw new Error(`README.md has no "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  const tabs: ExampleTab[] = [];
  let prose = 0;
  for (const block of section.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const before = section.slice(prose, block.index);
    prose = block.index + block[0].length;
    const variables = /with variables `(\{[^`]*\})`/.exec(before)?.[1];
    const query = block[1] as string;
    if (variables === undefined) {
      tabs.push({ query });
    } else {
      // A broken example fails the build, not the page.
      tabs.push({ query, variables: JSON.stringify(JSON.parse(variables), null, 2) });
    }
  }
  if (tabs.length === 0) throw new Error(`README.md's "${SECTION}" section has no graphql examples`);
  return tabs;
}
