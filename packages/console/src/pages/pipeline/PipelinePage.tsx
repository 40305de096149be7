import type { ChangeEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsolePipelineFunnelDocument, ConsolePipelineProjectsDocument, ProjectField, ProjectStage, type PipelineFilter } from '../../gql/graphql.ts';
import { formatCount, titled, useLocale, useMessages } from '../../i18n.tsx';
import { fieldNames, stageNames } from '../../messages.ts';
import { sumYuan } from '../../money.ts';
import { FunnelChart } from './FunnelChart.tsx';
import { messages } from './messages.ts';

const PAGE_SIZE = 20;
const STAGES = Object.values(ProjectStage);
const FIELDS = Object.values(ProjectField);

/** The filters, as the URL holds them: ?stage=IMPLEMENTING&prefecture=610900&field=INDUSTRY&after=… */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const stage = STAGES.find((value) => value === params.get('stage')) ?? null;
  const field = FIELDS.find((value) => value === params.get('field')) ?? null;
  const prefecture = /^\d{6}$/.test(params.get('prefecture') ?? '') ? params.get('prefecture') : null;
  const after = params.get('after');
  const set = (name: 'stage' | 'field' | 'prefecture' | 'after', value: string | null) => {
    // From the address as it is now: two changes in quick succession both stay.
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(name, value);
    else next.delete(name);
    // Another filter is another list: its pages start again.
    if (name !== 'after') next.delete('after');
    setParams(next);
  };
  return { stage, field, prefecture, after, set, clear: () => setParams(new URLSearchParams()) };
}

/** /pipeline — the funnel (projects and money by stage) and the filtered, paged list of projects. */
export function PipelinePage() {
  const t = useMessages(messages);
  const stages = useMessages(stageNames);
  const fields = useMessages(fieldNames);
  const { locale } = useLocale();
  const { provenance, visible } = useDemoFilter();
  const filters = useFilters();
  const filter: PipelineFilter = {
    ...(filters.stage ? { stages: [filters.stage] } : {}),
    ...(filters.prefecture ? { prefectureCode: filters.prefecture } : {}),
    ...(filters.field ? { field: filters.field } : {}),
    ...(provenance ? { provenance } : {}),
  };
  const funnel = useGraphQuery(ConsolePipelineFunnelDocument, { filter });
  const list = useGraphQuery(ConsolePipelineProjectsDocument, { filter, first: PAGE_SIZE, after: filters.after });
  const choose = (name: 'stage' | 'field' | 'prefecture') => (event: ChangeEvent<HTMLSelectElement>) => filters.set(name, event.target.value || null);

  return (
    <section className="page">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>

      <form className="filters" aria-label={t.filters} onSubmit={(event) => event.preventDefault()}>
        <div className="filter">
          <label htmlFor="filter-stage">{t.stage}</label>
          <select id="filter-stage" value={filters.stage ?? ''} onChange={choose('stage')}>
            <option value="">{t.allStages}</option>
            {STAGES.map((stage) => (
              <option key={stage} value={stage}>
                {stages[stage]}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="filter-prefecture">{t.prefecture}</label>
          <select id="filter-prefecture" value={filters.prefecture ?? ''} onChange={choose('prefecture')}>
            <option value="">{t.allPrefectures}</option>
            {(funnel.data?.prefectures ?? []).map((prefecture) => (
              <option key={prefecture.code} value={prefecture.code}>
                {locale === 'en' ? prefecture.namePinyin : prefecture.nameZh}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="filter-field">{t.field}</label>
          <select id="filter-field" value={filters.field ?? ''} onChange={choose('field')}>
            <option value="">{t.allFields}</option>
            {FIELDS.map((field) => (
              <option key={field} value={field}>
                {fields[field]}
              </option>
            ))}
          </select>
        </div>
        <button type="button" onClick={filters.clear}>
          {t.clear}
        </button>
      </form>

      <h2>{t.funnelTitle}</h2>
      <QueryState query={funnel}>
        {(data) => {
          const rows = data.funnel;
          return (
            <div className="funnel">
              <FunnelChart
                labels={rows.map((row) => stages[row.stage])}
                counts={rows.map((row) => row.projectCount)}
                label={t.projectCount}
                description={`${t.funnelChart}: ${rows.map((row) => `${stages[row.stage]} ${row.projectCount}`).join(', ')}`}
              />
              <div className="table-scroll">
                <table className="table" data-testid="funnel">
                  <caption>{t.funnelCaption}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t.stage}</th>
                      <th scope="col" className="number">{t.projectCount}</th>
                      <th scope="col" className="number">{t.amountSought}</th>
                      <th scope="col" className="number">{t.committed}</th>
                      <th scope="col" className="number">{t.disbursed}</th>
                      <th scope="col" className="number">{t.received}</th>
                      <th scope="col" className="number">{t.spent}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <tr key={row.key} data-stage={row.stage}>
                        <th scope="row">{stages[row.stage]}</th>
                        <td className="number">{formatCount(row.projectCount, locale)}</td>
                        <td className="number"><Money amount={row.amountSought} /></td>
                        <td className="number"><Money amount={row.committed} /></td>
                        <td className="number"><Money amount={row.disbursed} /></td>
                        <td className="number"><Money amount={row.received} /></td>
                        <td className="number"><Money amount={row.spent} /></td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr data-stage="TOTAL">
                      <th scope="row">{t.total}</th>
                      <td className="number">{formatCount(rows.reduce((total, row) => total + row.projectCount, 0), locale)}</td>
                      <td className="number"><Money amount={sumYuan(rows.map((row) => row.amountSought))} /></td>
                      <td className="number"><Money amount={sumYuan(rows.map((row) => row.committed))} /></td>
                      <td className="number"><Money amount={sumYuan(rows.map((row) => row.disbursed))} /></td>
                      <td className="number"><Money amount={sumYuan(rows.map((row) => row.received))} /></td>
                      <td className="number"><Money amount={sumYuan(rows.map((row) => row.spent))} /></td>
                    </tr>
                  </tfoot>
                </table>
              </div>
            </div>
          );
        }}
      </QueryState>

      <CountedHeading title={t.listTitle} count={list.data?.pipeline.totalCount} message={t.listCount} testId="pipeline-count" />
      <QueryState query={list}>
        {(data) => {
          const projects = data.pipeline.nodes.filter(visible);
          if (projects.length === 0) return <p className="muted">{t.nothing}</p>;
          return (
            <>
              <div className="table-scroll">
                <table className="table" data-testid="pipeline">
                  <thead>
                    <tr>
                      <th scope="col">{t.project}</th>
                      <th scope="col">{t.county}</th>
                      <th scope="col">{t.field}</th>
                      <th scope="col">{t.stage}</th>
                      <th scope="col" className="number">{t.amountSought}</th>
                      <th scope="col" className="number">{t.committed}</th>
                      <th scope="col" className="number">{t.fundingGap}</th>
                      <th scope="col">{t.provenance}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {projects.map((project) => (
                      <tr key={project.id} data-project={project.id}>
                        <td>
                          <Link to={`/projects/${project.id}`}>{titled(project, locale)}</Link>
                        </td>
                        <td>
                          <Link to={`/counties/${project.county.code}`}>{project.county.nameZh}</Link> <span className="muted">{project.county.prefecture.nameZh}</span>
                        </td>
                        <td>{fields[project.field]}</td>
                        <td>{project.stage ? stages[project.stage] : '—'}</td>
                        <td className="number"><Money amount={project.amountSought} /></td>
                        <td className="number"><Money amount={project.committed} /></td>
                        <td className="number"><Money amount={project.fundingGap} /></td>
                        <td><ProvenanceBadge provenance={project.provenance} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <nav className="pager" aria-label={t.listTitle}>
                {filters.after && (
                  <button type="button" onClick={() => filters.set('after', null)}>
                    {t.firstPage}
                  </button>
                )}
                {data.pipeline.pageInfo.hasNextPage && data.pipeline.pageInfo.endCursor && (
                  <button type="button" onClick={() => filters.set('after', data.pipeline.pageInfo.endCursor)}>
                    {t.nextPage}
                  </button>
                )}
              </nav>
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
