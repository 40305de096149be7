import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '@hub/db';
import { startTestHub, tableChecksums, type TestHub, type Topology } from '@hub/testkit';

/**
 * Every creating mutation takes an optional idempotency key: a retry with the same key and
 * the same request gets the record made first and makes no second one, even when the copies
 * are in flight together; the key with a different request is refused and writes nothing.
 */

/** A Unified Social Credit Code with its GB 32100-2015 check character, from a 17-character body. */
function uscc(body: string): string {
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...body].reduce((total, char, i) => total + charset.indexOf(char) * weights[i]!, 0);
  return body + charset[(31 - (sum % 31)) % 31];
}

interface Create {
  mutation: string;
  role: 'JIANGSU_OFFICE' | 'SHAANXI_OFFICE';
  document: string;
  /** A request unique to `tag`. */
  input(tag: string): Record<string, unknown>;
  /** The same request asking for something else. */
  changed(input: Record<string, unknown>): Record<string, unknown>;
  /** Rows the request made, counted by what the caller named it. */
  table: string;
  nameColumn: string;
  name(input: Record<string, unknown>): string;
}

const CREATES: Create[] = [
  {
    mutation: 'createJiangsuOrganization',
    role: 'JIANGSU_OFFICE',
    document: `mutation ($input: CreateJiangsuOrganizationInput!) { createJiangsuOrganization(input: $input) { id nameZh } }`,
    input: (tag) => ({ nameZh: `苏州测试慈善基金会${tag}`, kind: 'FOUNDATION', cityCode: '320500' }),
    changed: (input) => ({ ...input, kind: 'SOCIAL_SERVICE_INSTITUTION' }),
    table: 'jiangsu.organization',
    nameColumn: 'name_zh',
    name: (input) => input.nameZh as string,
  },
  {
    mutation: 'createShaanxiOrganization',
    role: 'SHAANXI_OFFICE',
    document: `mutation ($input: CreateShaanxiOrganizationInput!) { createShaanxiOrganization(input: $input) { id nameZh } }`,
    input: (tag) => ({ nameZh: `安康测试公益协会${tag}`, kind: 'SOCIAL_SERVICE_INSTITUTION', homeCountyCode: '610927' }),
    changed: (input) => ({ ...input, description: '另一个请求' }),
    table: 'shaanxi.organization',
    nameColumn: 'name_zh',
    name: (input) => input.nameZh as string,
  },
  {
    mutation: 'raiseProjectNeed',
    role: 'SHAANXI_OFFICE',
    document: `mutation ($input: RaiseProjectNeedInput!) { raiseProjectNeed(input: $input) { id titleZh } }`,
    input: (tag) => ({ countyCode: '610927', titleZh: `镇坪县幼儿园改造${tag}`, field: 'EDUCATION', amountSought: { fen: 1_000_000 } }),
    changed: (input) => ({ ...input, amountSought: { fen: 2_000_000 } }),
    table: 'shaanxi.project_need',
    nameColumn: 'title_zh',
    name: (input) => input.titleZh as string,
  },
];

describe.each<Topology>(['all-in-one', 'distributed'])('idempotent creates, %s', (topology) => {
  let hub: TestHub;
  let tokens: Record<Create['role'], string>;
  let serial = 0;
  const tag = () => `-${topology}-${(serial += 1)}`;
  const keyFor = (label: string) => `${label}-0f1e2d3c-${topology}-${(serial += 1)}`;

  beforeAll(async () => {
    hub = await startTestHub(topology, { RATE_LIMIT_PER_ADDRESS: '100000', RATE_LIMIT_PER_IDENTITY: '100000' });
    tokens = { JIANGSU_OFFICE: await hub.token('JIANGSU_OFFICE'), SHAANXI_OFFICE: await hub.token('SHAANXI_OFFICE') };
  });
  afterAll(() => hub?.stop());

  const send = (create: Create, input: Record<string, unknown>) =>
    hub.query(create.document, { input }, { token: tokens[create.role] });

  async function rowsNamed(create: Create, name: string): Promise<number> {
    const [row] = await queryRows<{ rows: number }>(
      hub.database.db,
      sql`select count(*)::int as rows from ${sql.raw(create.table)} where ${sql.raw(create.nameColumn)} = ${name}`,
    );
    return row!.rows;
  }

  async function tableChecksum(create: Create): Promise<string> {
    return (await tableChecksums(hub.database.db, [create.table]))[create.table]!;
  }

  describe.each(CREATES)('$mutation', (create) => {
    it('returns the first record for the same key and request, and makes no second', async () => {
      const input = { ...create.input(tag()), idempotencyKey: keyFor('retry') };
      const first = await send(create, input);
      expect(first.errors).toBeUndefined();
      const before = await tableChecksum(create);
      const again = await send(create, input);
      expect(again.errors).toBeUndefined();
      expect(again.data![create.mutation]).toEqual(first.data![create.mutation]);
      expect(await rowsNamed(create, create.name(input))).toBe(1);
      expect(await tableChecksum(create)).toBe(before);
    });

    it('refuses the key with a different request with IDEMPOTENCY_KEY_REUSED, writing nothing', async () => {
      const input = { ...create.input(tag()), idempotencyKey: keyFor('reuse') };
      expect((await send(create, input)).errors).toBeUndefined();
      const before = await tableChecksum(create);
      const reused = await send(create, create.changed(input));
      expect(reused.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
      expect(reused.data ?? null).toBeNull();
      expect(await tableChecksum(create)).toBe(before);
    });

    it('makes one record from ten requests with one key in flight at once', async () => {
      const input = { ...create.input(tag()), idempotencyKey: keyFor('race') };
      const results = await Promise.all(Array.from({ length: 10 }, () => send(create, input)));
      for (const result of results) expect(result.errors).toBeUndefined();
      const ids = new Set(results.map((result) => result.data![create.mutation].id));
      expect(ids.size).toBe(1);
      expect(await rowsNamed(create, create.name(input))).toBe(1);
    });

    it('makes a record for each request without a key, as before', async () => {
      const input = create.input(tag());
      const first = await send(create, input);
      const second = await send(create, input);
      expect(first.errors).toBeUndefined();
      expect(second.errors).toBeUndefined();
      expect(second.data![create.mutation].id).not.toBe(first.data![create.mutation].id);
      expect(await rowsNamed(create, create.name(input))).toBe(2);
    });

    it('refuses a key shorter than 8 characters, writing nothing', async () => {
      const input = { ...create.input(tag()), idempotencyKey: 'short' };
      const before = await tableChecksum(create);
      const result = await send(create, input);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' });
      expect(await tableChecksum(create)).toBe(before);
    });
  });

  // Each create has one writer, an office, whose keys they are (docs/decisions/0020): the two
  // offices choosing one key each make their own record.
  it('lets one key name one record of each kind, whichever office makes it', async () => {
    const key = keyFor('both-offices');
    const jiangsu = { ...CREATES[0]!.input(tag()), idempotencyKey: key };
    const shaanxi = { ...CREATES[1]!.input(tag()), idempotencyKey: key };
    const need = { ...CREATES[2]!.input(tag()), idempotencyKey: key };
    for (const [create, input] of [[CREATES[0]!, jiangsu], [CREATES[1]!, shaanxi], [CREATES[2]!, need]] as const) {
      const result = await send(create, input);
      expect(result.errors).toBeUndefined();
      expect(await rowsNamed(create, create.name(input))).toBe(1);
    }
  });

  it('makes one organization from ten requests with one key and one credit code in flight at once', async () => {
    const code = uscc(`5132050${String(serial).padStart(3, '0')}MJ${topology === 'all-in-one' ? '12345' : '54321'}`);
    const input = { nameZh: `常熟测试慈善基金会${tag()}`, kind: 'FOUNDATION', unifiedSocialCreditCode: code, idempotencyKey: keyFor('uscc') };
    const results = await Promise.all(Array.from({ length: 10 }, () => send(CREATES[0]!, input)));
    for (const result of results) expect(result.errors).toBeUndefined();
    expect(new Set(results.map((result) => result.data!.createJiangsuOrganization.id)).size).toBe(1);
    expect(await rowsNamed(CREATES[0]!, input.nameZh)).toBe(1);
    // A new key for the same code is another organization claiming a taken code.
    const other = await send(CREATES[0]!, { ...input, nameZh: `${input.nameZh}二`, idempotencyKey: keyFor('uscc') });
    expect(other.errors?.[0]?.extensions?.code).toBe('ALREADY_EXISTS');
  });
});
