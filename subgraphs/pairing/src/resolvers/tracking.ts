import { moneyFromFen, type ProvenanceKind } from '@hub/common';
import type { PairingContext } from '../loaders.ts';
import type { AgreementRow } from '../store/pairing-store.ts';
import { agreementFocusOf, TrackingService, type MoneyFigure, type Slice, type SliceFigures } from '../tracking-service.ts';
import { organizationReference } from './references.ts';

type Tracking = ReturnType<TrackingService['track']>;
/** A slice of a period, with the agreement it is of (a focus is the agreement's). */
type AgreementSlice<K> = Slice<K> & { agreementId: string };

export const agreementTrackingFields = {
  tracking: (agreement: AgreementRow, { provenance }: { provenance?: ProvenanceKind[] | null }, context: PairingContext) =>
    new TrackingService(context).track(agreement, provenance ?? null),
};

export const projectTrackingFields = {
  agreementFocus: ({ id }: { id: string }, _: unknown, context: PairingContext) => agreementFocusOf(id, context),
};

export const AgreementTracking = {
  term: (tracking: Tracking) => tracking.term(),
  years: (tracking: Tracking) => tracking.years(),
  coverage: (tracking: Tracking) => tracking.coverage(),
  organizationRule: (tracking: Tracking) => tracking.organizationRule(),
  declaredCeremonies: (tracking: Tracking) => tracking.declaredCeremonies(),
};

export const PeriodProgress = {
  byFocus: (period: { agreementId: string; byFocus: Slice<number | null>[] }) =>
    period.byFocus.map((slice) => ({ ...slice, agreementId: period.agreementId })),
};

export const MoneyProgress = {
  target: (figure: MoneyFigure) => moneyFromFen(figure.target),
  actual: (figure: MoneyFigure) => moneyFromFen(figure.actual),
  itemized: (figure: MoneyFigure) => moneyFromFen(figure.itemized),
  declared: (figure: MoneyFigure) => moneyFromFen(figure.declared),
};

export const ProgressFigures = {
  committed: (figures: SliceFigures) => moneyFromFen(figures.committedFen),
  disbursed: (figures: SliceFigures) => moneyFromFen(figures.disbursedFen),
};

export const PrefectureProgress = { prefecture: (slice: Slice<string>) => ({ code: slice.key }) };
export const CountyProgress = { county: (slice: Slice<string>) => ({ code: slice.key }) };
export const FieldProgress = { field: (slice: Slice<string>) => slice.key };
export const OrganizationProgress = { organization: (slice: Slice<string>) => organizationReference(slice.key, 'JIANGSU') };

export const FocusProgress = {
  async focus(slice: AgreementSlice<number | null>, _: unknown, { loaders }: PairingContext) {
    if (slice.key === null) return null;
    return (await loaders.focusesByAgreement.load(slice.agreementId)).find((focus) => focus.position === slice.key) ?? null;
  },
};

export const CoverageCount = {
  reachedCounties: (count: { reachedCounties: string[] }) => count.reachedCounties.map((code) => ({ code })),
};

export const CountyShortfall = { county: (shortfall: { countyCode: string }) => ({ code: shortfall.countyCode }) };
