import { englishCounts, FIELD_NAMES, matchPart, shortCityName, type MatchPart, type ProjectField, type ReportingLanguage } from '@hub/common';
import type { counties, prefectures } from './db/schema.ts';

type CountyRow = typeof counties.$inferSelect;
type PrefectureRow = typeof prefectures.$inferSelect;

/** The need and place criteria of a match, as the pairing subgraph passes them. */
export interface NeedCriteria {
  fields: readonly ProjectField[];
  prefectureCodes: readonly string[];
  countyCodes: readonly string[];
  prioritizeDeepPoverty: boolean;
  prioritizeRevolutionaryOldArea: boolean;
  reportingLanguages: readonly ReportingLanguage[];
}

/** What of a need its fit depends on. */
export interface NeedFacts {
  field: ProjectField;
  titleEn: string | null;
  publishedAt: Date | null;
}

export interface NeedFit {
  published: boolean;
  points: number;
  parts: MatchPart[];
}

/**
 * The Shaanxi part of a match's score (docs/decisions/0026-matching.md): the need's field, its
 * county and prefecture against the preferred places, the county's flags against the
 * priorities, and whether it can be reported on in a language the foundation takes.
 */
export function needFit(need: NeedFacts, county: CountyRow, prefecture: PrefectureRow, criteria: NeedCriteria): NeedFit {
  const parts: MatchPart[] = [];
  if (criteria.fields.includes(need.field)) {
    const name = FIELD_NAMES[need.field];
    parts.push(matchPart('FIELD', `领域：${name.zh}`, `field: ${name.en}`));
  }
  if (criteria.countyCodes.includes(county.code) || (county.currentCode !== null && criteria.countyCodes.includes(county.currentCode))) {
    parts.push(matchPart('PREFERRED_COUNTY', `您关注的县区：${county.nameZh}`, `a county you prefer: ${county.namePinyin ?? county.nameZh}`));
  } else if (criteria.prefectureCodes.includes(prefecture.code)) {
    parts.push(
      matchPart('PREFERRED_PREFECTURE', `您关注的地市：${shortCityName(prefecture.nameZh)}`, `a prefecture you prefer: ${prefecture.namePinyin}`),
    );
  }
  if (criteria.prioritizeDeepPoverty && county.deepPoverty === true) {
    parts.push(matchPart('DEEP_POVERTY', '深度贫困县', 'deep-poverty county'));
  }
  // The county's own flag where the record gives it; its prefecture's where it is silent.
  const oldArea = county.revolutionaryOldArea ?? prefecture.revolutionaryOldArea;
  if (criteria.prioritizeRevolutionaryOldArea && oldArea === true) {
    parts.push(matchPart('REVOLUTIONARY_OLD_AREA', '革命老区', 'old revolutionary area'));
  }
  if (englishCounts(criteria.reportingLanguages) && need.titleEn) {
    parts.push(matchPart('REPORTING_LANGUAGE', '有英文资料，可用英文报告', 'English material: can report in English'));
  }
  return { published: need.publishedAt !== null, points: parts.reduce((sum, part) => sum + part.points, 0), parts };
}
