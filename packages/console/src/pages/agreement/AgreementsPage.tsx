import { Link } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleAgreementsDocument, ProvenanceKind, type ConsoleAgreementsQuery } from '../../gql/graphql.ts';
import { fill, formatCount, formatDate, titled, useLocale, useMessages } from '../../i18n.tsx';
import { AgreementDashboard } from './AgreementDashboard.tsx';
import { messages } from './messages.ts';

type Agreements = ConsoleAgreementsQuery['agreements'];

/** /agreements — the agreements, each linking to its dashboard. */
export function AgreementsPage() {
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleAgreementsDocument, { provenance });
  return (
    <section className="page agreement-page">
      <QueryState query={query}>{(data) => <AgreementList agreements={data.agreements.filter(visible)} />}</QueryState>
    </section>
  );
}

/**
 * / — what an office opens the console for: the dashboard of the agreement it works under. That
 * is the one real agreement (demo agreements are for exploring, never the office's work); with
 * several real ones, the one whose term includes this year, and when that does not settle it,
 * the list to choose from.
 */
export function AgreementHomePage() {
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleAgreementsDocument, { provenance });
  const t = useMessages(messages);
  return (
    <section className="page agreement-page">
      <QueryState query={query}>
        {(data) => {
          const current = currentAgreement(data.agreements);
          if (current) return <AgreementDashboard id={current.id} />;
          return <AgreementList agreements={data.agreements.filter(visible)} note={t.severalReal} />;
        }}
      </QueryState>
    </section>
  );
}

function currentAgreement(agreements: Agreements): Agreements[number] | undefined {
  const real = agreements.filter((agreement) => agreement.provenance.kind !== ProvenanceKind.SyntheticDemo);
  if (real.length === 1) return real[0];
  const thisYear = new Date().getFullYear();
  const running = real.filter((agreement) => agreement.termYearList.includes(thisYear));
  return running.length === 1 ? running[0] : undefined;
}

function AgreementList({ agreements, note }: { agreements: Agreements; note?: string }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  return (
    <>
      <header className="page-header">
        <h1>{t.listTitle}</h1>
      </header>
      <p className="lead">{note ?? t.listIntro}</p>
      {agreements.length === 0 ? (
        <p className="muted">{t.noAgreements}</p>
      ) : (
        <table className="table" data-testid="agreements">
          <thead>
            <tr>
              <th scope="col">{t.title}</th>
              <th scope="col">{t.term}</th>
              <th scope="col">{t.signedOn}</th>
              <th scope="col" className="number">
                {t.ceremoniesHeld}
              </th>
              <th scope="col" className="number">
                {t.projectsDeclared}
              </th>
              <th scope="col" className="number">
                {t.amountDeclared}
              </th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {agreements.map((agreement) => {
              const first = agreement.termYearList[0];
              const last = agreement.termYearList[agreement.termYearList.length - 1];
              return (
                <tr key={agreement.id} data-key={agreement.id}>
                  <th scope="row" className="row-name">
                    <Link to={`/agreements/${agreement.id}`}>{titled(agreement, locale)}</Link>
                  </th>
                  <td>{first !== undefined && last !== undefined ? fill(t.termYearsValue, { years: agreement.termYears, from: first, to: last }) : agreement.termYears}</td>
                  <td>{agreement.signedOn ? formatDate(agreement.signedOn, locale) : <span className="muted">{t.notStated}</span>}</td>
                  <td className="number">{formatCount(agreement.progress.ceremoniesHeld, locale)}</td>
                  <td className="number">{formatCount(agreement.progress.projectsDeclared, locale)}</td>
                  <td className="number">
                    <Money amount={agreement.progress.amountDeclared} />
                  </td>
                  <td>
                    <ProvenanceBadge provenance={agreement.provenance} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
