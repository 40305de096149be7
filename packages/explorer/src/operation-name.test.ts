import { describe, expect, it } from 'vitest';
import { withOwnOperationName } from './operation-name.ts';

const COUNTY_PAGE = 'query CountyPage($code: DivisionCode!) { county(code: $code) { nameZh } }';
const TWO = 'query CountyPage { counties { nameZh } } query AgreementProgress { agreements { titleZh } }';

describe('the operation name the explorer sends', () => {
  it("is the document's own when GraphiQL still holds the last tab's", () => {
    expect(withOwnOperationName({ query: COUNTY_PAGE, operationName: 'FoundationIndustryProjects', variables: { code: '611025' } })).toEqual({
      query: COUNTY_PAGE,
      operationName: 'CountyPage',
      variables: { code: '611025' },
    });
  });

  it('is left out when the document has several operations and none of that name: the hub asks which', () => {
    expect(withOwnOperationName({ query: TWO, operationName: 'FoundationIndustryProjects' })).toEqual({ query: TWO });
  });

  it('is kept when the document defines it, and when the document does not parse', () => {
    expect(withOwnOperationName({ query: TWO, operationName: 'AgreementProgress' })).toEqual({ query: TWO, operationName: 'AgreementProgress' });
    expect(withOwnOperationName({ query: 'query {', operationName: 'CountyPage' })).toEqual({ query: 'query {', operationName: 'CountyPage' });
  });
});
