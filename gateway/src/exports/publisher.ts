/**
 * Who publishes the open-data files, and the identifiers the standards' registries give it.
 * An office that registers with IATI or 360Giving sets the identifiers it is given
 * (`IATI_REPORTING_ORG_REF`, `GIVING360_PREFIX`); until then the defaults name the hub.
 */
export interface OpenDataPublisher {
  /** IATI `reporting-org/@ref`, and the start of every `iati-identifier`. */
  iatiOrgRef: string;
  /** The 360Giving prefix of every grant and organization identifier the hub makes. */
  giving360Prefix: string;
  nameZh: string;
  nameEn: string;
}

export const DEFAULT_PUBLISHER: OpenDataPublisher = {
  iatiOrgRef: 'SU-SHAAN-HUB',
  giving360Prefix: '360G-SU-SHAAN-HUB',
  nameZh: '苏陕社会组织结对帮扶信息平台',
  nameEn: 'Jiangsu–Shaanxi social organization pairing hub',
};
