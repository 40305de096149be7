import { Link, useParams } from 'react-router';
import { Fact } from '../../components/Fact.tsx';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleCountyDocument, type ConsoleCountyQuery } from '../../gql/graphql.ts';
import { fill, formatDate, named, titled, useLocale, useMessages } from '../../i18n.tsx';
import { common, fieldNames, organizationKindNames, stageNames } from '../../messages.ts';
import { sumYuan } from '../../money.ts';
import { messages } from './messages.ts';

type County = NonNullable<ConsoleCountyQuery['county']>;

/** /counties/:code — a Shaanxi county: where it is, who pairs with it, who works there, what was signed. */
export function CountyPage() {
  const { code = '' } = useParams();
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleCountyDocument, { code, provenance });
  const t = useMessages(messages);
  return (
    <section className="page">
      <QueryState query={query}>{(data) => (data.county && visible(data.county) ? <CountyView county={data.county} /> : <p>{t.hiddenDemo}</p>)}</QueryState>
    </section>
  );
}

function CountyView({ county }: { county: County }) {
  const t = useMessages(messages);
  const c = useMessages(common);
  const stages = useMessages(stageNames);
  const fields = useMessages(fieldNames);
  const kinds = useMessages(organizationKindNames);
  const { locale } = useLocale();
  const { visible } = useDemoFilter();
  const pairing = county.prefecture.cityPairing;
  const organizations = county.organizations.filter(visible);
  const projects = county.projects.filter(visible);
  const ceremonies = (county.signingCeremonies ?? []).filter(visible);
  const yesNo = (value: boolean | null | undefined) => (value === null || value === undefined ? c.unknown : value ? c.yes : c.no);

  return (
    <>
      <header className="page-header">
        <h1 data-testid="county-name">
          {county.nameZh}
          {county.namePinyin && <span className="subtitle" lang="en">{county.namePinyin}</span>}
        </h1>
        <ProvenanceBadge provenance={county.provenance} />
      </header>
      <dl className="facts">
        <Fact label={t.code}>
          <span data-testid="county-code">{county.code}</span>
        </Fact>
        <Fact label={t.prefecture}>
          <span data-testid="county-prefecture">{county.prefecture.nameZh}</span>
        </Fact>
        <Fact label={t.pairedCity}>
          {pairing ? (
            <>
              <span data-testid="county-paired-city">{pairing.jiangsuCity.nameZh}</span>
              {pairing.sinceYear && <span className="muted"> {fill(t.pairingSince, { year: pairing.sinceYear })}</span>}
              {pairing.evidence === 'COUNTY_ONLY' && <span className="muted"> ({t.pairingCountyOnly})</span>} <ProvenanceBadge provenance={pairing.provenance} />
            </>
          ) : (
            t.noPairing
          )}
        </Fact>
        {county.jiangsuCountyPartners && county.jiangsuCountyPartners.length > 0 && (
          <Fact label={t.countyPartners}>{county.jiangsuCountyPartners.map((partner) => partner.jiangsuCountyNameZh).join('、')}</Fact>
        )}
        <Fact label={t.povertyStatus}>
          <span data-testid="county-poverty">{county.povertyCounty ? t.povertyYes : yesNo(county.povertyCounty)}</span>
          {county.exitedPovertyYear && <span className="muted"> {fill(t.exitedIn, { year: county.exitedPovertyYear })}</span>}
        </Fact>
        <Fact label={t.deepPoverty}>{yesNo(county.deepPoverty)}</Fact>
        <Fact label={t.oldArea}>{yesNo(county.revolutionaryOldArea)}</Fact>
      </dl>

      <CountedHeading title={t.projects} count={projects.length} message={t.projectCount} testId="project-count" />
      {projects.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <table className="table" data-testid="projects">
          <thead>
            <tr>
              <th scope="col">{t.title}</th>
              <th scope="col">{t.field}</th>
              <th scope="col">{t.stage}</th>
              <th scope="col" className="number">{t.amountSought}</th>
              <th scope="col">{t.ceremony}</th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {projects.map((project) => (
              <tr key={project.id}>
                <td>
                  <Link to={`/projects/${project.id}`}>{titled(project, locale)}</Link>
                </td>
                <td>{fields[project.field]}</td>
                <td>{project.stage ? stages[project.stage] : '—'}</td>
                <td className="number">
                  <Money amount={project.amountSought} />
                </td>
                <td>{project.ceremony ? <Link to={`/ceremonies/${project.ceremony.id}`}>{formatDate(project.ceremony.heldOn, locale)}</Link> : '—'}</td>
                <td>
                  <ProvenanceBadge provenance={project.provenance} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>
                {t.projectsTotal}
              </th>
              <td className="number" data-testid="projects-total">
                <Money amount={sumYuan(projects.map((project) => project.amountSought))} />
              </td>
              <td colSpan={2} />
            </tr>
          </tfoot>
        </table>
      )}

      <CountedHeading title={t.organizations} count={organizations.length} message={t.organizationCount} testId="organization-count" />
      {organizations.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <table className="table" data-testid="organizations">
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.kind}</th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {organizations.map((organization) => (
              <tr key={organization.id}>
                <td>{named(organization, locale)}</td>
                <td>{kinds[organization.kind]}</td>
                <td>
                  <ProvenanceBadge provenance={organization.provenance} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <CountedHeading title={t.ceremonies} count={ceremonies.length} message={t.ceremonyCount} testId="ceremony-count" />
      {ceremonies.length === 0 ? (
        <p className="muted">{t.nothing}</p>
      ) : (
        <table className="table" data-testid="ceremonies">
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.heldOn}</th>
              <th scope="col">{t.city}</th>
              <th scope="col">{t.provenance}</th>
            </tr>
          </thead>
          <tbody>
            {ceremonies.map((ceremony) => (
              <tr key={ceremony.id}>
                <td>
                  <Link to={`/ceremonies/${ceremony.id}`}>{titled(ceremony, locale)}</Link>
                </td>
                <td>{formatDate(ceremony.heldOn, locale)}</td>
                <td>{ceremony.cityNameZh}</td>
                <td>
                  <ProvenanceBadge provenance={ceremony.provenance} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
