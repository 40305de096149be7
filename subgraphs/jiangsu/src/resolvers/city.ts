import { provenanceOf, type ProvenanceKind } from '@hub/common';
import type { JiangsuContext } from '../loaders.ts';
import type { CityPairingRow, CityRow, CountyPairRow, CountyRow } from '../store/jiangsu-store.ts';

export const JiangsuCity = {
  __resolveReference: ({ code }: { code: string }, { loaders }: JiangsuContext) => loaders.city.load(code),
  pairing: (city: CityRow, _: unknown, { loaders }: JiangsuContext) => loaders.pairingByJiangsuCity.load(city.code),
  organizations: (city: CityRow, { provenance }: { provenance?: ProvenanceKind[] | null }, { loaders }: JiangsuContext) =>
    loaders.organizationsByCity.load({ key: city.code, kinds: provenance ?? null }),
  counties: (city: CityRow, _: unknown, { loaders }: JiangsuContext) => loaders.countiesByCity.load(city.code),
  provenance: provenanceOf,
};

export const JiangsuCounty = {
  async city(county: CountyRow, _: unknown, { loaders }: JiangsuContext) {
    const city = await loaders.city.load(county.cityCode);
    if (!city) throw new Error(`county ${county.code} names missing city ${county.cityCode}`);
    return city;
  },
  provenance: provenanceOf,
};

export const CityPairing = {
  async jiangsuCity(pairing: CityPairingRow, _: unknown, { loaders }: JiangsuContext) {
    const city = await loaders.city.load(pairing.jiangsuCityCode);
    if (!city) throw new Error(`city pairing names missing city ${pairing.jiangsuCityCode}`);
    return city;
  },
  shaanxiPrefecture: (pairing: CityPairingRow) => ({ code: pairing.shaanxiPrefectureCode }),
  countyPairs: (pairing: CityPairingRow, _: unknown, { loaders }: JiangsuContext) =>
    loaders.countyPairsByJiangsuCity.load(pairing.jiangsuCityCode),
  provenance: provenanceOf,
};

export const CountyPair = {
  shaanxiCounty: (pair: CountyPairRow) => ({ code: pair.shaanxiCountyCode }),
  jiangsuCounty: (pair: CountyPairRow, _: unknown, { loaders }: JiangsuContext) =>
    pair.jiangsuCountyCode ? loaders.county.load(pair.jiangsuCountyCode) : null,
};

/** Shaanxi's prefectures and counties, as far as Jiangsu knows them: their pairings. */
export const Prefecture = {
  __resolveReference: (prefecture: { code: string }) => prefecture,
  async pairedJiangsuCity({ code }: { code: string }, _: unknown, { loaders }: JiangsuContext) {
    const pairing = await loaders.pairingByShaanxiPrefecture.load(code);
    return pairing ? loaders.city.load(pairing.jiangsuCityCode) : null;
  },
  cityPairing: ({ code }: { code: string }, _: unknown, { loaders }: JiangsuContext) =>
    loaders.pairingByShaanxiPrefecture.load(code),
};

export const County = {
  __resolveReference: (county: { code: string; prefecture?: { code: string } }) => county,
  async pairedJiangsuCity(county: { prefecture?: { code: string } }, _: unknown, { loaders }: JiangsuContext) {
    if (!county.prefecture) return null;
    const pairing = await loaders.pairingByShaanxiPrefecture.load(county.prefecture.code);
    return pairing ? loaders.city.load(pairing.jiangsuCityCode) : null;
  },
  jiangsuCountyPartners: ({ code }: { code: string }, _: unknown, { loaders }: JiangsuContext) =>
    loaders.countyPairsByShaanxiCounty.load(code),
};
