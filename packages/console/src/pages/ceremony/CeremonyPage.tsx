import type { ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleCeremonyDocument, ConsoleCeremonyPackageDocument, LineByLineRecord, type ConsoleCeremonyPackageQuery, type ConsoleCeremonyQuery } from '../../gql/graphql.ts';
import { fill, formatCount, formatDate, named, titled, useLocale, useMessages } from '../../i18n.tsx';
import { fenOfYuan, sumYuan } from '../../money.ts';
import { useSession } from '../../session.tsx';
import { Download } from './Download.tsx';
import { checkKindNames, lineByLineNames, messages, packageStatusNames } from './messages.ts';
import './ceremony.css';

type Ceremony = NonNullable<ConsoleCeremonyQuery['ceremony']>;
type CeremonyPackage = NonNullable<ConsoleCeremonyPackageQuery['ceremonyPackage']>;

/** /ceremonies/:id — a signing ceremony, and its package (a version by `?version=`, else the latest the caller may see). */
export function CeremonyPage() {
  const { id = '' } = useParams();
  const { visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleCeremonyDocument, { id });
  const t = useMessages(messages);
  return (
    <section className="page">
      <p className="back">
        <Link to="/ceremonies">{t.backToList}</Link>
      </p>
      <QueryState query={query}>{(data) => (data.ceremony && visible(data.ceremony) ? <CeremonyView ceremony={data.ceremony} /> : <p>{t.hiddenDemo}</p>)}</QueryState>
    </section>
  );
}

function CeremonyView({ ceremony }: { ceremony: Ceremony }) {
  const t = useMessages(messages);
  const records = useMessages(lineByLineNames);
  const { locale } = useLocale();
  return (
    <>
      <header className="page-header">
        <h1 data-testid="ceremony-title">{titled(ceremony, locale)}</h1>
        <ProvenanceBadge provenance={ceremony.provenance} />
      </header>
      <dl className="facts">
        <Fact label={t.heldOn}>
          <span data-testid="ceremony-held-on">{formatDate(ceremony.heldOn, locale)}</span>
        </Fact>
        <Fact label={t.city}>
          <span data-testid="ceremony-city">{ceremony.cityNameZh}</span>
          {ceremony.venue && <span className="muted"> · {ceremony.venue}</span>}
        </Fact>
        <Fact label={t.declaredCount}>
          <span data-testid="ceremony-declared-count">{formatCount(ceremony.declaredProjectCount, locale)}</span>
        </Fact>
        <Fact label={t.declaredTotal}>
          <span data-testid="ceremony-declared-total">
            <Money amount={ceremony.declaredTotal} />
          </span>
        </Fact>
        <Fact label={t.record}>{records[ceremony.lineByLine]}</Fact>
        <Fact label={t.agreement}>
          {titled(ceremony.agreement, locale)} <ProvenanceBadge provenance={ceremony.agreement.provenance} />
        </Fact>
        {ceremony.hosts.length > 0 && <Fact label={t.hosts}>{ceremony.hosts.map((host) => named(host, locale)).join('、')}</Fact>}
        {ceremony.signatoryOrganizations.length > 0 && <Fact label={t.signatoryOrganizations} wide>{ceremony.signatoryOrganizations.map((organization) => named(organization, locale)).join('、')}</Fact>}
        {ceremony.signatoryCounties.length > 0 && (
          <Fact label={t.signatoryCounties} wide>
            {ceremony.signatoryCounties.map((county, index) => (
              <span key={county.code}>
                {index > 0 && '、'}
                <Link to={`/counties/${county.code}`}>{county.nameZh}</Link>
              </span>
            ))}
          </Fact>
        )}
      </dl>

      <h2>{t.packageTitle}</h2>
      {ceremony.lineByLine === LineByLineRecord.NotInPublicRecord ? (
        <p className="note" data-testid="package-note">
          {t.notInPublicRecord}
        </p>
      ) : (
        <PackageSection ceremony={ceremony} />
      )}
    </>
  );
}

/** The package: the version asked for, or the latest the caller may see; NOT_FOUND says who may see it. */
function PackageSection({ ceremony }: { ceremony: Ceremony }) {
  const t = useMessages(messages);
  const statuses = useMessages(packageStatusNames);
  const { token } = useSession();
  const [search] = useSearchParams();
  const asked = Number(search.get('version'));
  const version = Number.isInteger(asked) && asked >= 1 ? asked : null;
  const query = useGraphQuery(ConsoleCeremonyPackageDocument, { ceremonyId: ceremony.id, version });
  const shown = query.data?.ceremonyPackage?.version ?? null;

  if (query.isError && query.error.code === 'NOT_FOUND') {
    return (
      <p className="note note-locked" role="note" data-testid="package-not-visible">
        {token ? t.packageNotVisibleSignedIn : t.packageNotVisible}
      </p>
    );
  }
  return (
    <>
      {ceremony.packages.length > 1 && (
        <nav className="versions" aria-label={t.versions}>
          <span className="muted">{t.versions}：</span>
          {ceremony.packages.map((pkg) => (
            <Link key={pkg.version} to={`?version=${pkg.version}`} aria-current={pkg.version === shown ? 'page' : undefined} className={pkg.version === shown ? 'version-current' : undefined}>
              {fill(t.versionN, { version: pkg.version })} · {statuses[pkg.status]}
            </Link>
          ))}
        </nav>
      )}
      <QueryState query={query}>{(data) => (data.ceremonyPackage ? <PackageView pkg={data.ceremonyPackage} ceremonyId={ceremony.id} /> : null)}</QueryState>
    </>
  );
}

function PackageView({ pkg, ceremonyId }: { pkg: CeremonyPackage; ceremonyId: string }) {
  const t = useMessages(messages);
  const statuses = useMessages(packageStatusNames);
  const { locale } = useLocale();
  const failed = pkg.checks.filter((check) => !check.passed);
  const passed = pkg.checks.length - failed.length;
  const totalsAgree = fenOfYuan(pkg.total.yuan) === fenOfYuan(pkg.statedTotal.yuan);
  const base = `/exports/ceremonies/${encodeURIComponent(ceremonyId)}/packages/${pkg.version}`;
  const file = `${ceremonyId}-v${pkg.version}`.replace(/[^A-Za-z0-9._-]/g, '_');

  return (
    <div className="package" data-testid="package" data-status={pkg.status}>
      <div className="package-header">
        <h3>
          {fill(t.versionN, { version: pkg.version })}{' '}
          <span className={`status status-${pkg.status.toLowerCase()}`} data-testid="package-status">
            {statuses[pkg.status]}
          </span>
        </h3>
        <ProvenanceBadge provenance={pkg.provenance} />
      </div>
      {pkg.status === 'DRAFT' && <p className="note">{t.draftNote}</p>}
      <dl className="facts">
        <Fact label={t.total}>
          <span data-testid="package-total">
            <Money amount={pkg.total} />
          </span>
        </Fact>
        <Fact label={t.statedTotal}>
          <span data-testid="package-stated-total" className={totalsAgree ? undefined : 'mismatch'}>
            <Money amount={pkg.statedTotal} />
          </span>{' '}
          <span className={totalsAgree ? 'muted' : 'mismatch'}>{totalsAgree ? t.totalsAgree : t.totalsDiffer}</span>
        </Fact>
        <Fact label={t.contentHash}>{pkg.contentHash ? <code className="hash" data-testid="package-hash">{pkg.contentHash}</code> : <span className="muted">{t.noHash}</span>}</Fact>
        <Fact label={t.createdAt}>{formatDate(pkg.createdAt, locale)}</Fact>
        {pkg.finalizedAt && <Fact label={t.finalizedAt}>{formatDate(pkg.finalizedAt, locale)}</Fact>}
        {pkg.signedAt && <Fact label={t.signedAt}>{formatDate(pkg.signedAt, locale)}</Fact>}
        <Fact label={t.downloads}>
          <span className="downloads">
            {pkg.pdfPath ? (
              <Download path={pkg.pdfPath} type="application/pdf" filename={`${file}.pdf`} testId="package-pdf">
                {t.pdf}
              </Download>
            ) : (
              <span className="muted" data-testid="package-no-pdf">
                {t.noPdfDraft}
              </span>
            )}
            <Download path={`${base}.csv`} type="text/csv" filename={`${file}.csv`} testId="package-csv">
              {t.csv}
            </Download>
            <Download path={`${base}.xlsx`} type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" filename={`${file}.xlsx`} testId="package-xlsx">
              {t.xlsx}
            </Download>
          </span>
        </Fact>
      </dl>

      <h3>
        {t.checks}{' '}
        <span className={failed.length > 0 ? 'count count-failed' : 'count'} data-testid="check-summary">
          {fill(t.checkSummary, { passed: formatCount(passed, locale), failed: formatCount(failed.length, locale) })}
        </span>
      </h3>
      {failed.length > 0 && <ChecksTable checks={failed} testId="checks-failed" />}
      {passed > 0 && (
        <details className="checks-passed" open={failed.length === 0 && pkg.checks.length <= 12}>
          <summary data-testid="checks-passed-summary">{fill(failed.length === 0 ? t.allPassed : t.showPassed, { count: formatCount(passed, locale) })}</summary>
          <ChecksTable checks={pkg.checks.filter((check) => check.passed)} testId="checks-passed" />
        </details>
      )}

      <CountedHeading title={t.lines} count={pkg.lines.length} message={t.lineCount} testId="line-count" level={3} />
      {pkg.lines.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <table className="table" data-testid="lines">
          <thead>
            <tr>
              <th scope="col" className="number">
                {t.position}
              </th>
              <th scope="col">{t.project}</th>
              <th scope="col">{t.county}</th>
              <th scope="col">{t.shaanxiSignatory}</th>
              <th scope="col">{t.jiangsuOrganization}</th>
              <th scope="col" className="number">
                {t.amount}
              </th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {pkg.lines.map((line) => (
              <tr key={line.position} className={failed.some((check) => check.line === line.position) ? 'line-failed' : undefined}>
                <td className="number">{line.position}</td>
                <td>
                  <Link to={`/projects/${encodeURIComponent(line.project.id)}`}>{titled(line.project, locale)}</Link>
                </td>
                <td>
                  <Link to={`/counties/${line.county.code}`}>{line.county.nameZh}</Link>
                </td>
                <td>{named(line.shaanxiSignatory, locale)}</td>
                <td>{named(line.jiangsuOrganization, locale)}</td>
                <td className="number">
                  <Money amount={line.amount} />
                </td>
                <td>
                  <ProvenanceBadge provenance={line.project.provenance} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={5}>
                {t.sum}
              </th>
              <td className="number" data-testid="lines-sum">
                <Money amount={sumYuan(pkg.lines.map((line) => line.amount))} />
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      )}
    </div>
  );
}

/** Checks in the graph's order: whether each passed, of which kind, on which line, and what was found. */
function ChecksTable({ checks, testId }: { checks: CeremonyPackage['checks']; testId: string }) {
  const t = useMessages(messages);
  const kinds = useMessages(checkKindNames);
  return (
    <table className="table checks" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t.checkResult}</th>
          <th scope="col">{t.checkKind}</th>
          <th scope="col" className="number">
            {t.checkLine}
          </th>
          <th scope="col">{t.checkCode}</th>
          <th scope="col">{t.checkMessage}</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((check, index) => (
          <tr key={`${check.kind}:${check.line ?? ''}:${index}`} className={check.passed ? 'check-passed' : 'check-failed'} data-passed={String(check.passed)} data-kind={check.kind} data-line={check.line ?? ''}>
            <td>
              <span className={check.passed ? 'result result-passed' : 'result result-failed'}>{check.passed ? `✓ ${t.passed}` : `✗ ${t.failed}`}</span>
            </td>
            <td>{kinds[check.kind]}</td>
            <td className="number">{check.line ?? <span className="muted">{t.wholePackage}</span>}</td>
            <td>{check.code ? <code>{check.code}</code> : <span className="muted">—</span>}</td>
            <td>{check.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Fact({ label, wide, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'fact fact-wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
