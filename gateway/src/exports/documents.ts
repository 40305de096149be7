/**
 * The graph operations the downloads run, through the gateway as the caller: one source of
 * truth with the graph. Each page is no costlier than the gateway allows one operation
 * (`MAX_QUERY_COST`); exports.test.ts checks their costs at the page sizes used here.
 */

/** Projects a spreadsheet page reads at a time. */
export const ROWS_PER_PAGE = 100;
/** Projects an open-data page reads at a time: with both books' entries and the history, a page costs more. */
export const ACTIVITIES_PER_PAGE = 25;

const MONEY = '{ yuan }';

/** The pipeline as the offices' spreadsheet shows it: one row a project. */
export const PIPELINE_ROWS = /* GraphQL */ `
  query PipelineRowsForExport($filter: PipelineFilter, $first: Int!, $after: String) {
    pipeline(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        titleZh
        titleEn
        field
        stage
        iatiActivityStatus
        publishedAt
        county { code nameZh prefecture { code nameZh } }
        raisedBy { id nameZh }
        matchedOrganization { id nameZh }
        ceremony { id titleZh heldOn }
        amountSought ${MONEY}
        pledged ${MONEY}
        committed ${MONEY}
        disbursed ${MONEY}
        received ${MONEY}
        spent ${MONEY}
        fundingGap ${MONEY}
        reconciliation { balanced difference ${MONEY} }
        history { sequence to at actorRole actor }
        provenance { kind }
      }
    }
  }
`;

const ORGANIZATION = '{ id nameZh nameEn kind provenance { kind } }';

/** The pipeline as IATI activities and 360Giving grants need it: both books' entries and the stage history. */
export const PIPELINE_ACTIVITIES = /* GraphQL */ `
  query PipelineActivitiesForExport($filter: PipelineFilter, $first: Int!, $after: String) {
    pipeline(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        titleZh
        titleEn
        description
        field
        stage
        iatiActivityStatus
        publishedAt
        createdAt
        provenance { kind detail source { title publisher } }
        county { code nameZh prefecture { code nameZh } }
        raisedBy ${ORGANIZATION}
        matchedOrganization ${ORGANIZATION}
        ceremony { id titleZh heldOn agreement { id titleZh titleEn } }
        amountSought ${MONEY}
        history { sequence from to at }
        fundingEntries { id kind amount ${MONEY} recordedAt note organization ${ORGANIZATION} }
        fundsEntries { id kind amount ${MONEY} recordedAt purpose note fromOrganization { id nameZh nameEn } }
      }
    }
  }
`;

/** The graph's own totals for a filter: what every export of it is checked against. */
export const PIPELINE_TOTALS = /* GraphQL */ `
  query PipelineTotalsForExport($filter: PipelineFilter) {
    funnel(filter: $filter) {
      stage
      projectCount
      amountSought ${MONEY}
      pledged ${MONEY}
      committed ${MONEY}
      disbursed ${MONEY}
      received ${MONEY}
      spent ${MONEY}
    }
  }
`;

/** A ceremony's package, line by line, as the offices take it to the ceremony. */
export const PACKAGE_LINES = /* GraphQL */ `
  query CeremonyPackageForExport($ceremonyId: ID!, $version: Int) {
    ceremonyPackage(ceremonyId: $ceremonyId, version: $version) {
      id
      version
      status
      contentHash
      finalizedAt
      signedAt
      total ${MONEY}
      statedTotal ${MONEY}
      provenance { kind }
      ceremony { id titleZh heldOn cityNameZh provenance { kind } }
      lines {
        position
        amount ${MONEY}
        project { id titleZh stage provenance { kind } }
        county { code nameZh prefecture { nameZh } }
        shaanxiSignatory { id nameZh provenance { kind } }
        jiangsuOrganization { id nameZh provenance { kind } }
      }
    }
  }
`;

const COUNT = '{ target actual itemized declared shareReached }';
const MONEY_PROGRESS = `{ target ${MONEY} actual ${MONEY} itemized ${MONEY} declared ${MONEY} shareReached }`;
const FIGURES = `{ projectsSigned committed ${MONEY} disbursed ${MONEY} }`;
const PERIOD = `{
  year
  projectsSigned ${COUNT}
  committed ${MONEY_PROGRESS}
  disbursed ${MONEY_PROGRESS}
  countiesReached ${COUNT}
  shaanxiOrganizations ${COUNT}
  jiangsuOrganizations ${COUNT}
}`;

/** An agreement's progress against its targets, for the term and each year, with the term's breakdowns. */
export const AGREEMENT_PROGRESS = /* GraphQL */ `
  query AgreementProgressForExport($id: ID!) {
    agreement(id: $id) {
      id
      titleZh
      termYearList
      provenance { kind }
      tracking {
        term ${PERIOD}
        years ${PERIOD}
        breakdowns: term {
          byPrefecture { prefecture { code nameZh } figures ${FIGURES} }
          byCounty { county { code nameZh } figures ${FIGURES} }
          byField { field figures ${FIGURES} }
          byOrganization { organization { id nameZh } figures ${FIGURES} }
          byFocus { focus { position titleZh } figures ${FIGURES} }
        }
      }
    }
  }
`;
