import { Link, useParams } from 'react-router';
import { Fact } from '../../components/Fact.tsx';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleProjectDocument, type ConsoleProjectQuery } from '../../gql/graphql.ts';
import { fill, formatCount, formatDate, titled, useLocale, useMessages, type Locale } from '../../i18n.tsx';
import { fieldNames, stageNames } from '../../messages.ts';
import { groupYuan } from '../../money.ts';
import { messages } from './messages.ts';

type Project = NonNullable<ConsoleProjectQuery['project']>;

/** A moment (ISO 8601) as a date and time in China Standard Time, where the work happens. */
function formatMoment(at: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at));
}

/** /projects/:id — a project: its stage history, both provinces' books, and where they disagree. */
export function ProjectPage() {
  const { id = '' } = useParams();
  const { visible } = useDemoFilter();
  const t = useMessages(messages);
  const query = useGraphQuery(ConsoleProjectDocument, { id });
  return (
    <section className="page">
      <QueryState query={query}>{(data) => (data.project && visible(data.project) ? <ProjectView project={data.project} /> : <p>{t.hiddenDemo}</p>)}</QueryState>
    </section>
  );
}

function ProjectView({ project }: { project: Project }) {
  const t = useMessages(messages);
  const stages = useMessages(stageNames);
  const fields = useMessages(fieldNames);
  const { locale } = useLocale();
  const { visible } = useDemoFilter();
  const history = project.history?.filter(visible) ?? null;
  const funding = project.fundingEntries?.filter(visible) ?? null;
  const funds = project.fundsEntries.filter(visible);
  const reconciliation = project.reconciliation;

  return (
    <>
      <header className="page-header">
        <h1 data-testid="project-title">{titled(project, locale)}</h1>
        <ProvenanceBadge provenance={project.provenance} />
      </header>
      {project.description && <p className="lead">{project.description}</p>}
      <dl className="facts">
        <Fact label={t.county}>
          <Link to={`/counties/${project.county.code}`}>{project.county.nameZh}</Link> <span className="muted">{project.county.prefecture.nameZh}</span>
        </Fact>
        <Fact label={t.field}>{fields[project.field]}</Fact>
        <Fact label={t.stage}>
          <span data-testid="project-stage">{project.stage ? stages[project.stage] : '—'}</span>
        </Fact>
        {project.raisedBy && (
          <Fact label={t.raisedBy}>
            {project.raisedBy.nameZh} <ProvenanceBadge provenance={project.raisedBy.provenance} />
          </Fact>
        )}
        {project.ceremony && (
          <Fact label={t.ceremony}>
            <Link to={`/ceremonies/${project.ceremony.id}`}>{titled(project.ceremony, locale)}</Link>{' '}
            <span className="muted">{formatDate(project.ceremony.heldOn, locale)}</span> <ProvenanceBadge provenance={project.ceremony.provenance} />
          </Fact>
        )}
        {project.beneficiaryCount !== null && project.beneficiaryCount !== undefined && <Fact label={t.beneficiaries}>{formatCount(project.beneficiaryCount, locale)}</Fact>}
      </dl>

      <h2>{t.money}</h2>
      <table className="table money-summary" data-testid="money">
        <thead>
          <tr>
            {(['amountSought', 'pledged', 'committed', 'disbursed', 'fundingGap', 'received', 'spent'] as const).map((name) => (
              <th key={name} scope="col" className="number">
                {t[name]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {(['amountSought', 'pledged', 'committed', 'disbursed', 'fundingGap', 'received', 'spent'] as const).map((name) => (
              <td key={name} className="number" data-money={name}>
                <Money amount={project[name]} />
              </td>
            ))}
          </tr>
        </tbody>
      </table>

      <h2>{t.history}</h2>
      {history === null ? (
        <p className="muted">{t.unavailable}</p>
      ) : history.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <table className="table" data-testid="history">
          <thead>
            <tr>
              <th scope="col">{t.at}</th>
              <th scope="col">{t.from}</th>
              <th scope="col">{t.to}</th>
              <th scope="col">{t.actor}</th>
              <th scope="col">{t.note}</th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {history.map((event) => (
              <tr key={event.sequence}>
                <td>{formatMoment(event.at, locale)}</td>
                <td>{stages[event.from]}</td>
                <td>{stages[event.to]}</td>
                <td>{event.actorRole}</td>
                <td>{event.note ?? ''}</td>
                <td>
                  <ProvenanceBadge provenance={event.provenance} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div className="books">
        <div>
          <h2>{t.jiangsuBook}</h2>
          {funding === null ? (
            <p className="muted">{t.unavailable}</p>
          ) : (
            <BookTable
              testId="jiangsu-book"
              entries={funding.map((entry) => ({ ...entry, counterpart: entry.organization.nameZh }))}
            />
          )}
        </div>
        <div>
          <h2>{t.shaanxiBook}</h2>
          <BookTable
            testId="shaanxi-book"
            entries={funds.map((entry) => ({ ...entry, counterpart: entry.fromOrganization?.nameZh ?? entry.purpose ?? '' }))}
          />
        </div>
      </div>

      <h2>{t.reconciliation}</h2>
      {reconciliation === null || reconciliation === undefined ? (
        <p className="muted">{t.unavailable}</p>
      ) : (
        <>
          <p data-testid="reconciliation-status" className={reconciliation.balanced ? 'balanced' : 'unbalanced'}>
            {reconciliation.balanced ? t.balanced : fill(t.unbalanced, { difference: `${groupYuan(reconciliation.difference.yuan)} ${locale === 'zh' ? '元' : 'yuan'}` })}
          </p>
          <table className="table" data-testid="reconciliation">
            <thead>
              <tr>
                <th scope="col">{t.organization}</th>
                <th scope="col" className="number">{t.disbursedByJiangsu}</th>
                <th scope="col" className="number">{t.receivedInShaanxi}</th>
                <th scope="col" className="number">{t.difference}</th>
              </tr>
            </thead>
            <tbody>
              {reconciliation.byOrganization.map((line, index) => (
                <tr key={line.organization?.id ?? `none-${index}`}>
                  <th scope="row">{line.organization?.nameZh ?? t.unknownOrganization}</th>
                  <td className="number"><Money amount={line.disbursed} /></td>
                  <td className="number"><Money amount={line.received} /></td>
                  <td className="number"><Money amount={line.difference} /></td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t.total}</th>
                <td className="number" data-money="disbursedByJiangsu"><Money amount={reconciliation.disbursedByJiangsu} /></td>
                <td className="number" data-money="receivedInShaanxi"><Money amount={reconciliation.receivedInShaanxi} /></td>
                <td className="number" data-money="difference"><Money amount={reconciliation.difference} /></td>
              </tr>
            </tfoot>
          </table>
        </>
      )}
    </>
  );
}

/** One entry of either province's book, as its table shows it. */
interface BookEntry {
  id: string;
  recordedAt: string;
  kind: keyof (typeof messages)['zh'];
  /** The Jiangsu organization that funds, or the Shaanxi organization (or purpose) that received or spent. */
  counterpart: string;
  amount: Parameters<typeof Money>[0]['amount'];
  provenance: Parameters<typeof ProvenanceBadge>[0]['provenance'];
}

/** A province's book of a project: Jiangsu's funding entries or Shaanxi's receipts and spending, in one table shape. */
function BookTable({ testId, entries }: { testId: string; entries: BookEntry[] }) {
  const t = useMessages(messages);
  const { locale } = useLocale();
  if (entries.length === 0) return <p className="muted">{t.nothing}</p>;
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">{t.recordedAt}</th>
          <th scope="col">{t.kind}</th>
          <th scope="col">{t.organization}</th>
          <th scope="col" className="number">{t.amount}</th>
          <th scope="col">{t.provenance}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td>{formatMoment(entry.recordedAt, locale)}</td>
            <td>{t[entry.kind]}</td>
            <td>{entry.counterpart}</td>
            <td className="number"><Money amount={entry.amount} /></td>
            <td><ProvenanceBadge provenance={entry.provenance} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
