import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeExamples } from './readme-examples.ts';

describe("the explorer's tabs from README", () => {
  it('are the operations of the "Example queries" section, in order, with the variables their sentence gives', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const tabs = readmeExamples(readme);
    expect(tabs.map((tab) => /^(?:query|mutation) (\w+)/.exec(tab.query)?.[1])).toEqual(['FoundationIndustryProjects', 'AgreementProgress', 'CountyPage']);
    expect(tabs[0]).not.toHaveProperty('variables');
    expect(JSON.parse(tabs[2]!.variables!)).toEqual({ code: '610927' });
  });

  it('stop at the next section, and a README without the section fails the build', () => {
    const readme = '# x\n\n## Example queries\n\nOne, with variables `{ "a": 1 }`:\n\n```graphql\nquery A($a: Int) { a }\n```\n\n## Next\n\n```graphql\nquery B { b }\n```\n';
    expect(readmeExamples(readme)).toEqual([{ query: 'query A($a: Int) { a }\n', variables: '{\n  "a": 1\n}' }]);
    expect(() => readmeExamples('# x\n')).toThrow(/no "## Example queries" section/);
  });
});
