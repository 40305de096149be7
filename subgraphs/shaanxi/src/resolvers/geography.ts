import { provenanceOf, type ProvenanceKind } from '@hub/common';
import type { ShaanxiContext } from '../loaders.ts';
import type { CountyRow, PrefectureRow } from '../store/shaanxi-store.ts';

export const Prefecture = {
  __resolveReference: ({ code }: { code: string }, { loaders }: ShaanxiContext) => loaders.prefecture.load(code),
  counties: (prefecture: PrefectureRow, _: unknown, { loaders }: ShaanxiContext) =>
    loaders.countiesByPrefecture.load(prefecture.code),
  provenance: provenanceOf,
};

export const County = {
  __resolveReference: ({ code }: { code: string }, { loaders }: ShaanxiContext) => loaders.county.load(code),
  async prefecture(county: CountyRow, _: unknown, { loaders }: ShaanxiContext) {
    const prefecture = await loaders.prefecture.load(county.prefectureCode);
    if (!prefecture) throw new Error(`county ${county.code} names missing prefecture ${county.prefectureCode}`);
    return prefecture;
  },
  organizations: (county: CountyRow, { provenance }: { provenance?: ProvenanceKind[] | null }, { loaders }: ShaanxiContext) =>
    loaders.organizationsByHomeCounty.load({ key: county.code, kinds: provenance ?? null }),
  projects: (county: CountyRow, { provenance }: { provenance?: ProvenanceKind[] | null }, { loaders }: ShaanxiContext) =>
    loaders.projectsByCounty.load({ key: county.code, kinds: provenance ?? null }),
  currentCode: (county: CountyRow) => county.currentCode ?? county.code,
  provenance: provenanceOf,
};
