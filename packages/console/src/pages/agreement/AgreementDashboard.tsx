import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge, type ProvenanceOf } from '../../components/ProvenanceBadge.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleAgreementDocument, type ConsoleAgreementQuery } from '../../gql/graphql.ts';
import { fill, formatCount, formatDate, named, titled, useLocale, useMessages } from '../../i18n.tsx';
import { fieldNames } from '../../messages.ts';
import { sumYuan } from '../../money.ts';
import { BreakdownFigure, type BreakdownRow } from './BreakdownFigure.tsx';
import { messages } from './messages.ts';
import './agreement.css';

type Agreement = NonNullable<ConsoleAgreementQuery['agreement']>;
type Period = Agreement['tracking']['term'] | Agreement['tracking']['years'][number];
type Target = Agreement['targets'][number];
type Messages = { percent: string };

/** The measures of a period's progress, in the order the dashboard shows them. */
const MEASURES = ['projectsSigned', 'committed', 'disbursed', 'countiesReached', 'shaanxiOrganizations', 'jiangsuOrganizations'] as const;
type Measure = (typeof MEASURES)[number];
const MONEY_MEASURES: ReadonlySet<Measure> = new Set(['committed', 'disbursed']);

/** The dashboard of one agreement: its progress against its targets, where it reaches, its ceremonies. */
export function AgreementDashboard({ id }: { id: string }) {
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleAgreementDocument, { id, provenance });
  const t = useMessages(messages);
  return (
    <QueryState query={query}>
      {(data) => (data.agreement && visible(data.agreement) ? <Dashboard agreement={data.agreement} /> : <p>{t.hiddenDemo}</p>)}
    </QueryState>
  );
}


function Dashboard({ agreement }: { agreement: Agreement }) {
  const t = useMessages(messages);
  const fields = useMessages(fieldNames);
  const { locale } = useLocale();
  const { visible } = useDemoFilter();
  const { tracking } = agreement;
  const years = agreement.termYearList;
  const termTarget = agreement.targets.find((target) => target.year === null);
  const targetOf = (year: number) => agreement.targets.find((target) => target.year === year);

  const prefectures: BreakdownRow[] = tracking.term.byPrefecture.map(({ prefecture, figures }) => ({
    key: prefecture.code,
    name: prefecture.nameZh,
    label: locale === 'en' ? prefecture.namePinyin : prefecture.nameZh,
    provenance: prefecture.provenance,
    figures,
  }));
  const focuses: BreakdownRow[] = tracking.term.byFocus.map(({ focus, figures }) => ({
    key: focus ? String(focus.position) : 'none',
    name: focus ? `${focus.position}. ${titled(focus, locale)}` : t.noFocus,
    label: focus ? `${focus.position}. ${titled(focus, locale)}` : t.noFocus,
    figures,
  }));
  const byField: BreakdownRow[] = tracking.term.byField.map(({ field, figures }) => ({ key: field, name: fields[field], label: fields[field], figures }));
  const organizations: BreakdownRow[] = tracking.term.byOrganization.map(({ organization, figures }) => ({
    key: organization.id,
    name: named(organization, locale),
    label: named(organization, locale),
    provenance: organization.provenance,
    figures,
  }));
  const ceremonies = agreement.ceremonies.filter(visible);
  const declaredOnly = new Set(tracking.declaredCeremonies.map((ceremony) => ceremony.id));
  const rule = tracking.organizationRule;
  const first = years[0];
  const last = years[years.length - 1];

  return (
    <>
      <header className="page-header">
        <h1 data-testid="agreement-title">{titled(agreement, locale)}</h1>
        <ProvenanceBadge provenance={agreement.provenance} />
        <Link to="/agreements" className="all-agreements">
          {t.allAgreements}
        </Link>
      </header>
      {locale === 'zh' && agreement.titleEn && (
        <p className="subtitle-line muted" lang="en">
          {agreement.titleEn}
        </p>
      )}
      <dl className="facts">
        <Fact label={t.term}>
          <span data-testid="agreement-term">{first !== undefined && last !== undefined ? fill(t.termYearsValue, { years: agreement.termYears, from: first, to: last }) : agreement.termYears}</span>
        </Fact>
        <Fact label={t.signedOn}>{agreement.signedOn ? formatDate(agreement.signedOn, locale) : <span className="muted">{t.notStated}</span>}</Fact>
        <Fact label={t.parties}>
          <span className="party">
            {named(agreement.jiangsuParty, locale)} <ProvenanceBadge provenance={agreement.jiangsuParty.provenance} />
          </span>
          <span className="party">
            {named(agreement.shaanxiParty, locale)} <ProvenanceBadge provenance={agreement.shaanxiParty.provenance} />
          </span>
        </Fact>
        {agreement.coordinator && (
          <Fact label={t.coordinator}>
            {named(agreement.coordinator, locale)} <ProvenanceBadge provenance={agreement.coordinator.provenance} />
          </Fact>
        )}
        {agreement.plannedProjectCount !== null && <Fact label={t.plannedProjects}>{fill(t.plannedProjectsValue, { count: formatCount(agreement.plannedProjectCount, locale) })}</Fact>}
      </dl>

      <section aria-labelledby="term-progress" className="dashboard-section">
        <div className="section-head">
          <h2 id="term-progress">
            {t.termProgress}
            {first !== undefined && last !== undefined && <span className="count">{`${first}—${last}`}</span>}
          </h2>
          <TargetSource target={termTarget} />
        </div>
        <p className="help muted">{t.termProgressHelp}</p>
        <div className="kpis" data-testid="term-progress">
          {MEASURES.map((measure) => (
            <Kpi key={measure} measure={measure} period={tracking.term} testId={`term-${measure}`} />
          ))}
        </div>
      </section>

      <section aria-labelledby="year-progress" className="dashboard-section">
        <h2 id="year-progress">{t.yearProgress}</h2>
        <div className="table-wrap">
          <table className="table progress-table" data-testid="year-progress">
            <thead>
              <tr>
                <th scope="col">{t.measure}</th>
                {tracking.years.map((period) => (
                  <th scope="col" key={period.year}>
                    {fill(t.yearColumn, { year: period.year ?? '' })} <TargetSource target={period.year === null ? undefined : targetOf(period.year)} compact />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {MEASURES.map((measure) => (
                <tr key={measure}>
                  <th scope="row">{t[measure]}</th>
                  {tracking.years.map((period) => (
                    <td key={period.year}>
                      <ProgressFigure measure={measure} period={period} testId={`year-${period.year}-${measure}`} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="breakdowns" className="dashboard-section">
        <h2 id="breakdowns">{t.breakdowns}</h2>
        <p className="help muted">{t.breakdownsHelp}</p>
        {[prefectures, byField, focuses, organizations].every((rows) => rows.length === 0) ? (
          <p className="muted" data-testid="no-breakdowns">
            {t.noItemized}
          </p>
        ) : (
          <div className="charts">
            <BreakdownFigure id="by-prefecture" title={t.byPrefecture} nameHeader={t.prefecture} rows={prefectures} />
            <BreakdownFigure id="by-field" title={t.byField} nameHeader={t.field} rows={byField} />
            <BreakdownFigure id="by-focus" title={t.byFocus} nameHeader={t.focus} rows={focuses} horizontal />
            <BreakdownFigure id="by-organization" title={t.byOrganization} nameHeader={t.organization} rows={organizations} horizontal />
          </div>
        )}
      </section>

      <div className="two-columns">
        <section aria-labelledby="coverage" className="dashboard-section">
          <h2 id="coverage">{t.coverage}</h2>
          <p className="help muted">{t.coverageHelp}</p>
          <table className="table" data-testid="coverage">
            <thead>
              <tr>
                <th scope="col">{t.countyKind}</th>
                <th scope="col" className="number">
                  {t.known}
                </th>
                <th scope="col" className="number">
                  {t.reached}
                </th>
                <th scope="col">{t.coveredShare}</th>
                <th scope="col" className="number">
                  {t.unknown}
                </th>
                <th scope="col" className="number">
                  {t.reachedAmongUnknown}
                </th>
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ['poverty', t.povertyCounties, tracking.coverage.povertyCounties],
                  ['deep-poverty', t.deepPovertyCounties, tracking.coverage.deepPovertyCounties],
                  ['old-area', t.oldAreaCounties, tracking.coverage.revolutionaryOldAreaCounties],
                ] as const
              ).map(([key, label, count]) => (
                <tr key={key} data-key={key}>
                  <th scope="row">{label}</th>
                  <td className="number" data-part="known">
                    {formatCount(count.known, locale)}
                  </td>
                  <td className="number" data-part="reached">
                    {formatCount(count.reached, locale)}
                    {count.reachedByDeclarationOnly > 0 && (
                      <span className="muted small" title={t.byDeclarationOnly}>
                        {' '}
                        ({t.byDeclarationOnly} {formatCount(count.reachedByDeclarationOnly, locale)})
                      </span>
                    )}
                  </td>
                  <td className="share-cell">
                    <Bar share={count.known > 0 ? count.reached / count.known : null} />
                    <span className="share-text">{count.known > 0 ? percent(count.reached / count.known, t) : '—'}</span>
                  </td>
                  <td className="number" data-part="unknown">
                    {formatCount(count.unknown, locale)}
                  </td>
                  <td className="number" data-part="reached-among-unknown">
                    {formatCount(count.reachedAmongUnknown, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="organization-rule" className="dashboard-section">
          <h2 id="organization-rule">{fill(t.rule, { minimum: rule.minimum })}</h2>
          <p className="help muted">{fill(t.ruleHelp, { minimum: rule.minimum })}</p>
          <dl className="rule-figures">
            <div>
              <dt>{t.ruleMinimum}</dt>
              <dd data-testid="rule-minimum">{formatCount(rule.minimum, locale)}</dd>
            </div>
            <div>
              <dt>{t.ruleMeeting}</dt>
              <dd data-testid="rule-meeting">{formatCount(rule.countiesMeeting, locale)}</dd>
            </div>
            <div>
              <dt>{t.ruleShort}</dt>
              <dd data-testid="rule-short">{formatCount(rule.countiesShort.length, locale)}</dd>
            </div>
          </dl>
        </section>
      </div>
      {rule.countiesShort.length === 0 ? (
        <p className="muted">{t.allMeeting}</p>
      ) : (
        <section aria-labelledby="counties-short-title" className="counties-short">
          <h3 id="counties-short-title">
            {t.ruleShort}
            <span className="count">{t.shortOrder}</span>
          </h3>
          {/* One list, largest shortfall first, set in columns so that it reads down each. */}
          <div className="short-columns" data-testid="counties-short">
            {columnsOf(rule.countiesShort, 3).map((column, index) => (
              <table className="table compact-table" key={index}>
                <thead>
                  <tr>
                    <th scope="col">{t.county}</th>
                    <th scope="col" className="number">
                      {t.organizations}
                    </th>
                    <th scope="col" className="number">
                      {t.short}
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">{t.provenance}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {column.map(({ county, organizations, short }) => (
                    <tr key={county.code} data-key={county.code}>
                      <th scope="row" className="row-name">
                        <Link to={`/counties/${county.code}`}>{locale === 'en' && county.namePinyin ? county.namePinyin : county.nameZh}</Link>
                      </th>
                      <td className="number" data-part="organizations">
                        {formatCount(organizations, locale)}
                      </td>
                      <td className="number" data-part="short">
                        {formatCount(short, locale)}
                      </td>
                      <td className="badge-cell">
                        <ProvenanceBadge provenance={county.provenance} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </div>
        </section>
      )}

      <section aria-labelledby="ceremonies" className="dashboard-section">
        <h2 id="ceremonies">{t.ceremonies}</h2>
        {ceremonies.length === 0 ? (
          <p className="muted">{t.nothing}</p>
        ) : (
          <table className="table" data-testid="ceremonies">
            <thead>
              <tr>
                <th scope="col">{t.ceremonyTitle}</th>
                <th scope="col">{t.heldOn}</th>
                <th scope="col">{t.city}</th>
                <th scope="col" className="number">
                  {t.declaredCount}
                </th>
                <th scope="col" className="number">
                  {t.declaredTotal}
                </th>
                <th scope="col">{t.record}</th>
                <th scope="col">{t.provenance}</th>
              </tr>
            </thead>
            <tbody>
              {ceremonies.map((ceremony) => (
                <tr key={ceremony.id} data-key={ceremony.id}>
                  <th scope="row" className="row-name">
                    <Link to={`/ceremonies/${ceremony.id}`}>{titled(ceremony, locale)}</Link>
                  </th>
                  <td>{formatDate(ceremony.heldOn, locale)}</td>
                  <td>{ceremony.cityNameZh}</td>
                  <td className="number" data-part="count">
                    {formatCount(ceremony.declaredProjectCount, locale)}
                  </td>
                  <td className="number" data-part="total">
                    <Money amount={ceremony.declaredTotal} />
                  </td>
                  <td>{declaredOnly.has(ceremony.id) ? t.declaredOnly : t.itemized}</td>
                  <td>
                    <ProvenanceBadge provenance={ceremony.provenance} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={3}>
                  {fill(t.ceremoniesTotal, { count: formatCount(ceremonies.length, locale) })}
                </th>
                <td className="number" data-part="count">
                  {formatCount(
                    ceremonies.reduce((total, ceremony) => total + ceremony.declaredProjectCount, 0),
                    locale,
                  )}
                </td>
                <td className="number" data-part="total">
                  <Money amount={sumYuan(ceremonies.map((ceremony) => ceremony.declaredTotal))} />
                </td>
                <td colSpan={2} />
              </tr>
            </tfoot>
          </table>
        )}
      </section>
    </>
  );
}

/** Where a period's targets come from: the record's badge, or that none are set. */
function TargetSource({ target, compact = false }: { target: Target | undefined; compact?: boolean }) {
  const t = useMessages(messages);
  if (!target) return compact ? null : <span className="muted small">{t.noTargetsRecord}</span>;
  return (
    <span className="target-source" data-testid={`target-source-${target.year ?? 'term'}`}>
      {!compact && <span className="muted small">{t.targetsSource}</span>} <ProvenanceBadge provenance={target.provenance as ProvenanceOf} />
      {!compact && target.note && <span className="muted small"> {target.note}</span>}
    </span>
  );
}

/** A measure's figure as text: a count, or exact money. */
function Figure({ value }: { value: number | { yuan: string } | null }) {
  const { locale } = useLocale();
  if (value === null) return <span className="muted">—</span>;
  if (typeof value === 'number') return <>{formatCount(value, locale)}</>;
  return <Money amount={value} />;
}

const percent = (share: number, t: Messages) => fill(t.percent, { value: (Math.round(share * 1000) / 10).toFixed(1) });

/** The values of one measure in one period. */
function valuesOf(period: Period, measure: Measure) {
  if (MONEY_MEASURES.has(measure)) {
    const money = period[measure as 'committed' | 'disbursed'];
    return { target: money.target, actual: money.actual, share: money.shareReached };
  }
  const count = period[measure as Exclude<Measure, 'committed' | 'disbursed'>];
  return { target: count.target, actual: count.actual, share: count.shareReached };
}

/** A term figure as a card: the actual, the target, and the share reached as a bar with its number. */
function Kpi({ measure, period, testId }: { measure: Measure; period: Period; testId: string }) {
  const t = useMessages(messages);
  return (
    <div className="kpi" data-testid={testId}>
      <div className="kpi-label">{t[measure]}</div>
      <ProgressFigure measure={measure} period={period} large />
    </div>
  );
}

/** Actual, target and share reached of one measure in one period, every number as text. */
function ProgressFigure({ measure, period, testId, large = false }: { measure: Measure; period: Period; testId?: string; large?: boolean }) {
  const t = useMessages(messages);
  const { target, actual, share } = valuesOf(period, measure);
  return (
    <div className={large ? 'progress progress-large' : 'progress'} data-testid={testId}>
      <div className="progress-numbers">
        <span className="actual" data-part="actual">
          <Figure value={actual} />
        </span>
        <span className="target muted">
          {target === null ? (
            <span data-part="target" data-none="">
              {t.noTarget}
            </span>
          ) : (
            <>
              {t.target}{' '}
              <span data-part="target">
                <Figure value={target} />
              </span>
            </>
          )}
        </span>
      </div>
      {target !== null && (
        <div className="progress-bar-row">
          <Bar share={share} />
          <span className="share-text" data-part="share">
            {share === null ? '—' : percent(share, t)}
          </span>
        </div>
      )}
    </div>
  );
}

/** A share as a bar (decoration: the number beside it says it); full and green once reached. */
function Bar({ share }: { share: number | null }) {
  const width = share === null ? 0 : Math.max(0, Math.min(1, share)) * 100;
  return (
    <span className={`bar${share !== null && share >= 1 ? ' bar-reached' : ''}`} aria-hidden="true">
      <span className="bar-fill" style={{ width: `${width}%` }} />
    </span>
  );
}

/** A list cut into `count` columns of (nearly) equal length, in its order. */
function columnsOf<T>(items: readonly T[], count: number): T[][] {
  const length = Math.ceil(items.length / count);
  return Array.from({ length: Math.min(count, items.length) }, (_, index) => items.slice(index * length, (index + 1) * length)).filter((column) => column.length > 0);
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
