import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moveThrough, startTestHub, tableChecksums, tablesOf, type TestHub } from '@hub/testkit';

/**
 * Hundreds of malformed and abusive requests: none may get a 5xx, each gets an error with a
 * code, the database is byte-for-byte the same afterwards, and the hub is healthy at the end.
 */
interface HostileRequest {
  label: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const gql = (label: string, query: string, variables?: unknown, headers: Record<string, string> = {}): HostileRequest => ({
  label,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify({ query, variables }),
});

const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE shaanxi.county; --",
  "610927'); DELETE FROM jiangsu.organization; --",
  '" OR ""="',
  '${7*7}',
  '{{constructor.constructor("return process")()}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00%27',
  '\u0000',
  '\uD800',
  '{"$gt": ""}',
  'sn-civil-affairs-department\' --',
  '\\x27 UNION SELECT password FROM pg_shadow --',
  '💥'.repeat(500),
];

/** A project set up through the graph, signed and with money on both books, that hostile money requests aim at. */
interface SignedProject {
  id: string;
  /** The idempotency key its commitment was recorded with. */
  commitmentKey: string;
}

function hostileRequests(
  tokens: { shaanxiOffice: string; jiangsuOffice: string; member: string; otherMember: string },
  signed: SignedProject,
): HostileRequest[] {
  const requests: HostileRequest[] = [];

  // Broken JSON and bodies of the wrong shape.
  const brokenBodies = [
    '{', '[', '{"query": "{ prefectures { code } }"', '{"query": }', 'null', 'true', '"just a string"', '12345',
    '{"query": 5}', '{"query": null}', '{"query": ["a"]}', '{"query": "{ prefectures { code } }", "variables": "x"}',
    '{"query": "{ prefectures { code } }", "variables": [1]}', '{"query": "{ prefectures { code } }", "operationName": 7}',
    '[{"query": "{ prefectures { code } }"}]', '{}', '', '\uFEFF{"query": "{ prefectures { code } }"}',
    '{"query": "{ prefectures { code } }", "extensions": "x"}', '{"query":"{ prefectures { code } }",}',
  ];
  for (const body of brokenBodies) requests.push({ label: `broken body ${body.slice(0, 30)}`, headers: JSON_HEADERS, body });
  requests.push({ label: 'invalid UTF-8 bytes', headers: JSON_HEADERS, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
  requests.push({ label: 'binary garbage', headers: JSON_HEADERS, body: Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37) % 256)) });

  // Wrong content types and methods.
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'text/html', 'application/xml', '']) {
    requests.push({ label: `content type ${type || 'none'}`, headers: type ? { 'content-type': type } : {}, body: '{"query":"{ prefectures { code } }"}' });
  }
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    requests.push({ label: `method ${method}`, method, headers: JSON_HEADERS, body: '{"query":"{ prefectures { code } }"}' });
  }
  requests.push({ label: 'unknown path', path: '/admin', method: 'GET' });
  requests.push({ label: 'GET without a query', method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
  requests.push({ label: 'GET mutation', method: 'GET', path: `/graphql?query=${encodeURIComponent('mutation { createJiangsuOrganization(input: {nameZh: "x", kind: FOUNDATION}) { id } }')}`, headers: { 'apollo-require-preflight': 'true' } });

  // Huge and deeply nested documents, alias and fragment bombs, fragment cycles.
  requests.push({ label: 'oversized body', headers: JSON_HEADERS, body: JSON.stringify({ query: `{ prefectures { code } }`, variables: { x: 'y'.repeat(200_000) } }) });
  requests.push(gql('too many tokens', `{ ${'prefectures { code } '.repeat(2_000)} }`));
  requests.push(gql('deep nesting', `{ county(code: "610927") ${'{ prefecture { counties '.repeat(40)}{ code }${' } }'.repeat(40)} }`));
  requests.push(gql('parser-deep brackets', `{ ${'a {'.repeat(3_000)}${'}'.repeat(3_000)} }`));
  requests.push(gql('alias bomb', `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: prefectures { code }`).join(' ')} }`));
  requests.push(gql('alias bomb in a fragment', `{ ...F } fragment F on Query { ${Array.from({ length: 200 }, (_, i) => `b${i}: agreements { id }`).join(' ')} }`));
  const bomb = ['fragment L0 on County { code }'];
  for (let i = 1; i <= 30; i += 1) bomb.push(`fragment L${i} on County { ...L${i - 1} prefecture { counties { ...L${i - 1} } } }`);
  requests.push(gql('fragment bomb', `{ county(code: "610927") { ...L30 } } ${bomb.join(' ')}`));
  requests.push(gql('fragment cycle', `{ county(code: "610927") { ...A } } fragment A on County { prefecture { counties { ...B } } } fragment B on County { ...A }`));
  requests.push(gql('costly breadth', `{ counties(first: 100) { nodes { organizations { projectsRaised { county { projects { county { code } } } } } } } }`));
  requests.push(gql('two operations without a name', `query A { prefectures { code } } query B { agreements { id } }`));
  requests.push(gql('subscription', `subscription { prefectures { code } }`));
  requests.push(gql('unknown field', `{ secrets { password } }`));
  // Nine nested ofType are the standard introspection's and free of the depth limit; twenty are not.
  requests.push(gql('introspection nested past the depth limit', `{ __schema { types { fields { type { ${'ofType { '.repeat(20)}name${' }'.repeat(20)} } } } }`));
  requests.push(gql('introspection recursing through fields', `{ __schema { types { ${'fields { type { '.repeat(6)}name${' } }'.repeat(6)} } } }`));
  requests.push(gql('introspection aliased past its size', `{ ${Array.from({ length: 20 }, (_, i) => `s${i}: __schema { types { fields { args { type { name } } type { ofType { fields { name } } } } } }`).join(' ')} }`));

  // Invalid scalars and values.
  for (const code of ['6109', '61092700', 'abcdef', '', ' 610927', '610927 ', '６１０９２７', '0x9527', '-61092', '6.1e5']) {
    requests.push(gql(`division code literal ${JSON.stringify(code)}`, `{ county(code: ${JSON.stringify(code)}) { nameZh } }`));
    requests.push(gql(`division code variable ${JSON.stringify(code)}`, `query ($c: DivisionCode!) { county(code: $c) { nameZh } }`, { c: code }));
  }
  for (const value of [610927, true, null, { code: '610927' }, ['610927']]) {
    requests.push(gql(`division code of type ${typeof value}`, `query ($c: DivisionCode!) { county(code: $c) { nameZh } }`, { c: value }));
  }
  for (const first of [-1, 101, 2 ** 31, 1.5, '10', 1e308]) {
    requests.push(gql(`page size ${first}`, `query ($n: Int) { counties(first: $n) { totalCount } }`, { n: first }));
  }
  requests.push(gql('page size literal overflow', `{ counties(first: 99999999999) { totalCount } }`));
  requests.push(gql('enum that does not exist', `{ participants(province: GUANGDONG) { province } }`));
  requests.push(gql('enum as string', `query ($p: Province) { participants(province: $p) { province } }`, { p: 'guangdong' }));
  requests.push(gql('year as string', `{ ceremonies(year: "2017") { id } }`));
  requests.push(gql('ID as object', `query ($id: ID!) { project(id: $id) { titleZh } }`, { id: { $ne: null } }));
  requests.push(gql('bad cursor', `{ projectNeeds(after: "'; DROP TABLE x; --") { totalCount } }`));
  requests.push(gql('counties after a non-code', `{ counties(after: "zzz") { totalCount } }`));

  // Injection-looking strings in every argument that takes one.
  const lookups: [string, string][] = [
    ['county', `query ($v: DivisionCode!) { county(code: $v) { nameZh } }`],
    ['prefecture', `query ($v: DivisionCode!) { prefecture(code: $v) { nameZh } }`],
    ['jiangsuCity', `query ($v: DivisionCode!) { jiangsuCity(code: $v) { nameZh } }`],
    ['shaanxiOrganization', `query ($v: ID!) { shaanxiOrganization(id: $v) { nameZh } }`],
    ['jiangsuOrganization', `query ($v: ID!) { jiangsuOrganization(id: $v) { nameZh } }`],
    ['project', `query ($v: ID!) { project(id: $v) { titleZh } }`],
    ['agreement', `query ($v: ID!) { agreement(id: $v) { titleZh } }`],
    ['ceremony', `query ($v: ID!) { ceremony(id: $v) { titleZh } }`],
    ['projectNeeds after', `query ($v: String) { projectNeeds(after: $v) { totalCount } }`],
    ['counties after', `query ($v: DivisionCode) { counties(after: $v) { totalCount } }`],
  ];
  for (const [name, document] of lookups) {
    for (const value of INJECTIONS) requests.push(gql(`${name} with ${JSON.stringify(value).slice(0, 24)}`, document, { v: value }));
  }

  // Mutations: refused for the public, or made with input the subgraph refuses.
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  for (const value of INJECTIONS.slice(0, 8)) {
    requests.push(gql('public creates an organization', `mutation ($n: String!) { createShaanxiOrganization(input: { nameZh: $n, kind: ASSOCIATION }) { id } }`, { n: value }));
    requests.push(gql('office edits a missing organization', `mutation ($id: ID!) { updateShaanxiOrganization(id: $id, expectedVersion: 1, input: { nameEn: "x" }) { id } }`, { id: value }, auth(tokens.shaanxiOffice)));
    requests.push(gql('office edits with a stale version', `mutation ($n: String) { updateJiangsuOrganization(id: "js-ruihua-charity-foundation", expectedVersion: 999, input: { nameEn: $n }) { id } }`, { n: value }, auth(tokens.jiangsuOffice)));
    requests.push(gql('member edits another organization', `mutation ($d: String) { updateJiangsuOrganizationProfile(id: "js-tongtai-charity-foundation", expectedVersion: 1, input: { description: $d }) { id } }`, { d: value }, auth(tokens.member)));
    requests.push(gql('office raises a need for an unknown county', `mutation ($t: String!) { raiseProjectNeed(input: { countyCode: "610999", titleZh: $t, field: OTHER }) { id } }`, { t: value }, auth(tokens.shaanxiOffice)));
  }
  const badNeeds: unknown[] = [
    { countyCode: '610924', titleZh: 'x\u0000y', field: 'OTHER' },
    { countyCode: '610924', titleZh: 'x\uD800', field: 'OTHER' },
    { countyCode: '610924', titleZh: '长'.repeat(10_000), field: 'OTHER' },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', amountSought: { fen: 2 ** 60 } },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', amountSought: { fen: -100 } },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', amountSought: { fen: 1.5 } },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', amountSought: { fen: 100, currency: 'USD' } },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', beneficiaryCount: -5 },
    { countyCode: '610924', titleZh: '   ', field: 'OTHER' },
    { countyCode: '610924', titleZh: '项目', field: 'MAGIC' },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', raisedByOrganizationId: "' OR 1=1 --" },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', description: 'a\u0007b' },
    { countyCode: '610924', field: 'OTHER' },
    { countyCode: '610924', titleZh: null, field: 'OTHER' },
    { countyCode: '610924', titleZh: '项目', field: 'OTHER', extra: 'field' },
  ];
  for (const input of badNeeds) {
    requests.push(gql('office raises a malformed need', `mutation ($i: RaiseProjectNeedInput!) { raiseProjectNeed(input: $i) { id } }`, { i: input }, auth(tokens.shaanxiOffice)));
  }
  for (const uscc of ['123', '91350100M000100Y44', '91350100M000100YI3', "91350100M0'--00Y43"]) {
    requests.push(gql('office registers an organization with a bad USCC', `mutation ($u: String) { createJiangsuOrganization(input: { nameZh: "坏代码", kind: FOUNDATION, unifiedSocialCreditCode: $u }) { id } }`, { u: uscc }, auth(tokens.jiangsuOffice)));
  }
  for (const website of ['javascript:alert(1)', 'not a url', 'file:///etc/passwd', 'ftp://example.org']) {
    requests.push(gql('member sets a bad website', `mutation ($w: String) { updateJiangsuOrganizationProfile(id: "js-ruihua-charity-foundation", expectedVersion: 1, input: { website: $w }) { id } }`, { w: website }, auth(tokens.member)));
  }

  // Money requests that must record nothing: bad amounts, keys and ids, stages that refuse money.
  const fundingInput = (overrides: Record<string, unknown>) => ({
    projectId: '6f2d1c3e-2b1a-4d5e-9f00-000000000001',
    organizationId: 'js-ruihua-charity-foundation',
    amount: { fen: 100 },
    idempotencyKey: 'hostile-key-0001',
    ...overrides,
  });
  const moneyCases: Record<string, unknown>[] = [
    { amount: { fen: 2 ** 60 } }, { amount: { fen: -1 } }, { amount: { fen: 0 } }, { amount: { fen: 1.5 } },
    { amount: { fen: 100, currency: 'USD' } }, { idempotencyKey: '' }, { idempotencyKey: 'x' },
    { idempotencyKey: 'key\u0000with-nul' }, { idempotencyKey: 'k'.repeat(10_000) }, { projectId: "' OR 1=1 --" },
    { projectId: '00000000-0000-4000-8000-000000000000' }, { organizationId: '\u0000' }, {},
  ];
  for (const overrides of moneyCases) {
    requests.push(gql('disbursement that must record nothing', `mutation ($i: FundingEntryInput!) { recordDisbursement(input: $i) { id } }`, { i: fundingInput(overrides) }, auth(tokens.jiangsuOffice)));
    const { organizationId: _organization, ...receipt } = fundingInput(overrides) as Record<string, unknown>;
    requests.push(gql('receipt that must record nothing', `mutation ($i: ReceiptInput!) { recordReceipt(input: $i) { id } }`, { i: receipt }, auth(tokens.shaanxiOffice)));
  }
  // The same malformed amounts and keys aimed at a signed project, which takes money, and then
  // requests well formed in themselves that the ledger's own rules refuse. Its books hold
  // committed 10,000, disbursed 4,000, received 3,000 and spent 1,000 fen (see the setup).
  const signedFunding = (overrides: Record<string, unknown>) => fundingInput({ projectId: signed.id, ...overrides });
  for (const overrides of moneyCases.filter((c) => Object.keys(c).length > 0 && !('projectId' in c))) {
    requests.push(gql('disbursement to a signed project that must record nothing', `mutation ($i: FundingEntryInput!) { recordDisbursement(input: $i) { id } }`, { i: signedFunding(overrides) }, auth(tokens.jiangsuOffice)));
    requests.push(gql('commitment to a signed project that must record nothing', `mutation ($i: FundingEntryInput!) { recordCommitment(input: $i) { id } }`, { i: signedFunding(overrides) }, auth(tokens.jiangsuOffice)));
    // Shaanxi's books name no organization, so a bad organization id alone is no fault there.
    if ('organizationId' in overrides) continue;
    const { organizationId: _organization, ...receipt } = signedFunding(overrides) as Record<string, unknown>;
    requests.push(gql('receipt for a signed project that must record nothing', `mutation ($i: ReceiptInput!) { recordReceipt(input: $i) { id } }`, { i: receipt }, auth(tokens.shaanxiOffice)));
    requests.push(gql('expenditure of a signed project that must record nothing', `mutation ($i: ExpenditureInput!) { recordExpenditure(input: $i) { id } }`, { i: { ...receipt, purpose: '购置设备' } }, auth(tokens.shaanxiOffice)));
  }
  const ledgerRefusals: [label: string, document: string, input: Record<string, unknown>, token: string][] = [
    ['disbursement beyond the commitment', 'recordDisbursement(input: $i)', signedFunding({ amount: { fen: 6_001 }, idempotencyKey: 'hostile-over-disbursed' }), tokens.jiangsuOffice],
    ['disbursement by an organization that committed nothing', 'recordDisbursement(input: $i)', signedFunding({ organizationId: 'js-tongtai-charity-foundation', idempotencyKey: 'hostile-uncommitted' }), tokens.jiangsuOffice],
    ['pledge after signing', 'recordPledge(input: $i)', signedFunding({ idempotencyKey: 'hostile-late-pledge' }), tokens.member],
    ['commitment for another organization by a member', 'recordCommitment(input: $i)', signedFunding({ idempotencyKey: 'hostile-not-mine' }), tokens.otherMember],
    ['commitment key reused for another amount', 'recordCommitment(input: $i)', signedFunding({ amount: { fen: 99 }, idempotencyKey: signed.commitmentKey }), tokens.jiangsuOffice],
    ['commitment for an organization that does not exist', 'recordCommitment(input: $i)', signedFunding({ organizationId: 'js-nobody', idempotencyKey: 'hostile-nobody-1' }), tokens.jiangsuOffice],
  ];
  for (const [label, field, input, token] of ledgerRefusals) {
    requests.push(gql(label, `mutation ($i: FundingEntryInput!) { ${field} { id } }`, { i: input }, auth(token)));
  }
  requests.push(gql('expenditure beyond what was received', `mutation ($i: ExpenditureInput!) { recordExpenditure(input: $i) { id } }`, { i: { projectId: signed.id, amount: { fen: 2_001 }, purpose: '超支', idempotencyKey: 'hostile-over-spent' } }, auth(tokens.shaanxiOffice)));
  requests.push(gql('expenditure without a purpose', `mutation ($i: ExpenditureInput!) { recordExpenditure(input: $i) { id } }`, { i: { projectId: signed.id, amount: { fen: 1 }, purpose: '  ', idempotencyKey: 'hostile-no-purpose' } }, auth(tokens.shaanxiOffice)));
  requests.push(gql('receipt by the Jiangsu office', `mutation ($i: ReceiptInput!) { recordReceipt(input: $i) { id } }`, { i: { projectId: signed.id, amount: { fen: 1 }, idempotencyKey: 'hostile-wrong-book' } }, auth(tokens.jiangsuOffice)));
  requests.push(gql('move of the signed project from a stale version', `mutation ($id: ID!) { moveProject(input: { projectId: $id, to: IMPLEMENTING, expectedVersion: 3 }) { stage } }`, { id: signed.id }, auth(tokens.jiangsuOffice)));
  requests.push(gql('move of the signed project back to MATCHED', `mutation ($id: ID!) { moveProject(input: { projectId: $id, to: MATCHED, expectedVersion: 4 }) { stage } }`, { id: signed.id }, auth(tokens.jiangsuOffice)));

  for (const to of ['SIGNED', 'EVALUATED', 'BOGUS']) {
    requests.push(gql('illegal or unknown move', `mutation ($to: ProjectStage!) { moveProject(input: { projectId: "6f2d1c3e-2b1a-4d5e-9f00-000000000001", to: $to, expectedVersion: 0 }) { stage } }`, { to }, auth(tokens.jiangsuOffice)));
  }
  requests.push(gql('move with a stale version', `mutation { moveProject(input: { projectId: "6f2d1c3e-2b1a-4d5e-9f00-000000000001", to: PUBLISHED, expectedVersion: 7 }) { stage } }`, undefined, auth(tokens.shaanxiOffice)));
  requests.push(gql('move by the public', `mutation { moveProject(input: { projectId: "6f2d1c3e-2b1a-4d5e-9f00-000000000001", to: PUBLISHED, expectedVersion: 0 }) { stage } }`));
  requests.push(gql('pipeline page too large', `{ pipeline(first: 1000) { totalCount } }`));
  requests.push(gql('pipeline bad cursor', `{ pipeline(after: "bm9wZQ") { totalCount } }`));

  // Garbage credentials.
  for (const authorization of ['Bearer', 'Bearer ', 'Bearer a.b.c', 'Bearer ' + 'x'.repeat(5000), 'Basic YWRtaW46YWRtaW4=', 'Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiU0hBQU5YSV9PRkZJQ0UiLCJzdWIiOiJ4In0.', 'Bearer \u00ff\u00fe', 'bearer lower.case.scheme']) {
    requests.push(gql(`authorization ${authorization.slice(0, 20)}`, `mutation { createShaanxiOrganization(input: { nameZh: "x", kind: OTHER }) { id } }`, undefined, { authorization }));
  }
  return requests;
}

/**
 * Raises a need and takes it through the graph to SIGNED (publish, match with 瑞华, schedule into
 * the 2017 ceremony's batch, sign), then records a commitment of 10,000 fen, a disbursement of
 * 4,000, a receipt of 3,000 and an expenditure of 1,000, so the ledger's own limits are in play.
 */
async function signedProjectWithMoney(
  hub: TestHub,
  tokens: { shaanxiOffice: string; jiangsuOffice: string },
): Promise<SignedProject> {
  const ok = async (document: string, variables: Record<string, unknown>, token: string) => {
    const result = await hub.query(document, variables, { token });
    expect(result.errors, document).toBeUndefined();
    return result.data!;
  };
  const raised = await ok(
    `mutation { raiseProjectNeed(input: { countyCode: "610924", titleZh: "敌意输入靶项目", field: EDUCATION, amountSought: { fen: 50000 } }) { id } }`,
    {},
    tokens.shaanxiOffice,
  );
  const id = raised.raiseProjectNeed.id as string;
  await moveThrough(hub, id, ['PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED'], tokens.shaanxiOffice, {
    organizationId: 'js-ruihua-charity-foundation',
    ceremonyId: '2017-12-28-xian',
  });
  const commitmentKey = 'hostile-setup-commitment';
  const funding = (fen: number, idempotencyKey: string) => ({
    i: { projectId: id, organizationId: 'js-ruihua-charity-foundation', amount: { fen }, idempotencyKey },
  });
  await ok(`mutation ($i: FundingEntryInput!) { recordCommitment(input: $i) { id } }`, funding(10_000, commitmentKey), tokens.jiangsuOffice);
  await ok(`mutation ($i: FundingEntryInput!) { recordDisbursement(input: $i) { id } }`, funding(4_000, 'hostile-setup-disbursement'), tokens.jiangsuOffice);
  await ok(
    `mutation ($i: ReceiptInput!) { recordReceipt(input: $i) { id } }`,
    { i: { projectId: id, fromOrganizationId: 'js-ruihua-charity-foundation', amount: { fen: 3_000 }, idempotencyKey: 'hostile-setup-receipt' } },
    tokens.shaanxiOffice,
  );
  await ok(
    `mutation ($i: ExpenditureInput!) { recordExpenditure(input: $i) { id } }`,
    { i: { projectId: id, amount: { fen: 1_000 }, purpose: '购置图书', idempotencyKey: 'hostile-setup-expenditure' } },
    tokens.shaanxiOffice,
  );
  const books = await ok(
    `query ($id: ID!) { project(id: $id) { stage committed { fen } disbursed { fen } received { fen } spent { fen } } }`,
    { id },
    tokens.shaanxiOffice,
  );
  expect(books.project).toEqual({ stage: 'SIGNED', committed: { fen: 10_000 }, disbursed: { fen: 4_000 }, received: { fen: 3_000 }, spent: { fen: 1_000 } });
  return { id, commitmentKey };
}

/** Row count and checksum of every table of every subgraph schema and the migration journals. */
async function fingerprint(hub: TestHub): Promise<Record<string, string>> {
  return tableChecksums(hub.database.db, await tablesOf(hub.database.db, ['shaanxi', 'jiangsu', 'pairing', 'drizzle']));
}

describe('hostile input', () => {
  let hub: TestHub;
  let signed: SignedProject;
  const tokens = { shaanxiOffice: '', jiangsuOffice: '', member: '', otherMember: '' };
  beforeAll(async () => {
    hub = await startTestHub('all-in-one', { RATE_LIMIT_PER_ADDRESS: '100000', RATE_LIMIT_PER_IDENTITY: '100000' });
    tokens.shaanxiOffice = await hub.token('SHAANXI_OFFICE');
    tokens.jiangsuOffice = await hub.token('JIANGSU_OFFICE');
    tokens.member = await hub.token('FOUNDATION_MEMBER', 'js-ruihua-charity-foundation');
    tokens.otherMember = await hub.token('FOUNDATION_MEMBER', 'js-tongtai-charity-foundation');
    signed = await signedProjectWithMoney(hub, tokens);
  });
  afterAll(() => hub?.stop());

  it('answers every malformed or abusive request with a 4xx and a code, changes nothing, and stays healthy', async () => {
    const requests = hostileRequests(tokens, signed);
    expect(requests.length).toBeGreaterThanOrEqual(200);
    const before = await fingerprint(hub);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(15);

    const failures: string[] = [];
    for (const request of requests) {
      const response = await fetch(`${hub.origin}${request.path ?? '/graphql'}`, {
        method: request.method ?? 'POST',
        headers: request.headers ?? {},
        body: request.method === 'GET' ? undefined : request.body,
      });
      const text = await response.text();
      let code: unknown;
      try {
        const body = JSON.parse(text);
        code = body.errors?.[0]?.extensions?.code;
      } catch {
        code = undefined;
      }
      if (response.status >= 500) failures.push(`${request.label}: status ${response.status} ${text.slice(0, 200)}`);
      else if (typeof code !== 'string') failures.push(`${request.label}: no error code (status ${response.status}) ${text.slice(0, 200)}`);
      else if (code === 'INTERNAL_SERVER_ERROR') failures.push(`${request.label}: internal error ${text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);

    expect(await fingerprint(hub)).toEqual(before);
    const health = await fetch(`${hub.origin}/health`);
    expect(health.status).toBe(200);
    expect((await hub.query(`{ county(code: "610927") { nameZh } }`)).data).toEqual({ county: { nameZh: '镇坪县' } });
  });
});
