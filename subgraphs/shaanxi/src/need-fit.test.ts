import { describe, expect, it } from 'vitest';
import { needFit, type NeedCriteria } from './need-fit.ts';

type County = Parameters<typeof needFit>[1];
type Prefecture = Parameters<typeof needFit>[2];

const provenance = { provenanceKind: 'PUBLIC_RECORD', sourceId: null, sourceDetail: null } as const;
const ANKANG = { code: '610900', nameZh: '安康市', namePinyin: 'Ankang', revolutionaryOldArea: null, ...provenance } as Prefecture;
const YANAN = { code: '610600', nameZh: '延安市', namePinyin: "Yan'an", revolutionaryOldArea: true, ...provenance } as Prefecture;
const county = (over: Partial<County>): County =>
  ({
    code: '610927',
    currentCode: null,
    nameZh: '镇坪县',
    namePinyin: 'Zhenping',
    prefectureCode: '610900',
    povertyCounty: true,
    exitedPovertyYear: 2018,
    deepPoverty: null,
    revolutionaryOldArea: null,
    notes: null,
    ...provenance,
    ...over,
  }) as County;
const NONE: NeedCriteria = { fields: [], prefectureCodes: [], countyCodes: [], prioritizeDeepPoverty: false, prioritizeRevolutionaryOldArea: false, reportingLanguages: ['ZH'] };
const need = { field: 'EDUCATION' as const, titleEn: null, publishedAt: new Date('2020-01-01') };

const codes = (fit: ReturnType<typeof needFit>) => fit.parts.map((part) => [part.code, part.points]);

describe('the Shaanxi part of a match', () => {
  it('scores the field, and the county before its prefecture', () => {
    const criteria = { ...NONE, fields: ['EDUCATION' as const], prefectureCodes: ['610900'], countyCodes: ['610927'] };
    expect(codes(needFit(need, county({}), ANKANG, criteria))).toEqual([['FIELD', 40], ['PREFERRED_COUNTY', 30]]);
    expect(codes(needFit(need, county({ code: '610926', nameZh: '平利县' }), ANKANG, criteria))).toEqual([['FIELD', 40], ['PREFERRED_PREFECTURE', 20]]);
    expect(needFit({ ...need, field: 'INDUSTRY' }, county({ code: '610926' }), ANKANG, criteria).points).toBe(20);
  });

  it('knows a renamed county by its current code too', () => {
    const xunyang = county({ code: '610928', currentCode: '610981', nameZh: '旬阳县', namePinyin: 'Xunyang' });
    expect(codes(needFit(need, xunyang, ANKANG, { ...NONE, countyCodes: ['610981'] }))).toEqual([['PREFERRED_COUNTY', 30]]);
  });

  it('puts deep poverty and old areas first only when asked, taking the prefecture flag where the county is silent', () => {
    const ziyang = county({ code: '610924', deepPoverty: true });
    expect(needFit(need, ziyang, ANKANG, NONE).points).toBe(0);
    expect(codes(needFit(need, ziyang, ANKANG, { ...NONE, prioritizeDeepPoverty: true }))).toEqual([['DEEP_POVERTY', 15]]);
    const yanchang = county({ code: '610621', prefectureCode: '610600' });
    expect(codes(needFit(need, yanchang, YANAN, { ...NONE, prioritizeRevolutionaryOldArea: true }))).toEqual([['REVOLUTIONARY_OLD_AREA', 10]]);
    expect(needFit(need, county({ revolutionaryOldArea: false }), YANAN, { ...NONE, prioritizeRevolutionaryOldArea: true }).points).toBe(0);
  });

  it('counts English material only for a foundation that takes no Chinese reports', () => {
    const english = { ...need, titleEn: 'Library' };
    expect(codes(needFit(english, county({}), ANKANG, { ...NONE, reportingLanguages: ['EN'] }))).toEqual([['REPORTING_LANGUAGE', 5]]);
    expect(needFit(english, county({}), ANKANG, { ...NONE, reportingLanguages: ['ZH', 'EN'] }).points).toBe(0);
    expect(needFit(need, county({}), ANKANG, { ...NONE, reportingLanguages: ['EN'] }).points).toBe(0);
  });

  it('says whether the need is published', () => {
    expect(needFit({ ...need, publishedAt: null }, county({}), ANKANG, NONE).published).toBe(false);
  });
});
