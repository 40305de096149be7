import { Link } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleCeremoniesDocument } from '../../gql/graphql.ts';
import { formatCount, formatDate, titled, useLocale, useMessages } from '../../i18n.tsx';
import { sumYuan } from '../../money.ts';
import { lineByLineNames, messages } from './messages.ts';
import './ceremony.css';

/** /ceremonies — every signing ceremony, oldest first: what it declared and whether its lines are known. */
export function CeremoniesPage() {
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleCeremoniesDocument, { provenance });
  const t = useMessages(messages);
  const records = useMessages(lineByLineNames);
  const { locale } = useLocale();
  return (
    <section className="page">
      <header className="page-header">
        <h1>{t.listTitle}</h1>
      </header>
      <p className="lead">{t.listIntro}</p>
      <QueryState query={query}>
        {(data) => {
          const ceremonies = data.ceremonies.filter(visible);
          if (ceremonies.length === 0) return <p className="muted">{t.nothing}</p>;
          const declared = ceremonies.reduce((count, ceremony) => count + ceremony.declaredProjectCount, 0);
          return (
            <>
              <CountedHeading title={t.listTitle} count={ceremonies.length} message={t.ceremonyCount} testId="ceremony-count" />
              <table className="table" data-testid="ceremonies">
                <thead>
                  <tr>
                    <th scope="col">{t.title}</th>
                    <th scope="col">{t.heldOn}</th>
                    <th scope="col">{t.city}</th>
                    <th scope="col" className="number">{t.declaredCount}</th>
                    <th scope="col" className="number">{t.declaredTotal}</th>
                    <th scope="col">{t.record}</th>
                    <th scope="col">{t.provenance}</th>
                  </tr>
                </thead>
                <tbody>
                  {ceremonies.map((ceremony) => (
                    <tr key={ceremony.id} data-ceremony={ceremony.id}>
                      <td>
                        <Link to={`/ceremonies/${encodeURIComponent(ceremony.id)}`}>{titled(ceremony, locale)}</Link>
                      </td>
                      <td className="nowrap" data-testid="held-on">{formatDate(ceremony.heldOn, locale)}</td>
                      <td data-testid="city">{ceremony.cityNameZh}</td>
                      <td className="number" data-testid="declared-count">
                        {formatCount(ceremony.declaredProjectCount, locale)}
                      </td>
                      <td className="number" data-testid="declared-total">
                        <Money amount={ceremony.declaredTotal} />
                      </td>
                      <td>{records[ceremony.lineByLine]}</td>
                      <td>
                        <ProvenanceBadge provenance={ceremony.provenance} />
                      </td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row" colSpan={3}>
                      {t.allTotal}
                    </th>
                    <td className="number" data-testid="declared-count-total">
                      {formatCount(declared, locale)}
                    </td>
                    <td className="number" data-testid="declared-total-sum">
                      <Money amount={sumYuan(ceremonies.map((ceremony) => ceremony.declaredTotal))} />
                    </td>
                    <td colSpan={2} />
                  </tr>
                </tfoot>
              </table>
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
