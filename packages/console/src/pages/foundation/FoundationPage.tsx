import { useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleFoundationDocument, ConsoleFoundationMatchesDocument, type ConsoleFoundationQuery } from '../../gql/graphql.ts';
import { fill, formatCount, formatDate, named, titled, useLocale, useMessages } from '../../i18n.tsx';
import { common, fieldNames, organizationKindNames, stageNames } from '../../messages.ts';
import { languageNames, messages } from './messages.ts';
import './foundation.css';

type Foundation = NonNullable<ConsoleFoundationQuery['jiangsuOrganization']>;
type Profile = NonNullable<Foundation['givingProfile']>;

/** Matches on a page. */
const PAGE_SIZE = 10;

/** /foundations/:id — a Jiangsu foundation, its giving profile, and the projects that match it, with why. */
export function FoundationPage() {
  const { id = '' } = useParams();
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleFoundationDocument, { id, provenance });
  const t = useMessages(messages);
  return (
    <section className="page">
      <p className="back">
        <Link to="/foundations">{t.backToList}</Link>
      </p>
      <QueryState query={query}>
        {(data) => (data.jiangsuOrganization && visible(data.jiangsuOrganization) ? <FoundationView foundation={data.jiangsuOrganization} /> : <p>{t.hiddenDemo}</p>)}
      </QueryState>
    </section>
  );
}

function FoundationView({ foundation }: { foundation: Foundation }) {
  const t = useMessages(messages);
  const kinds = useMessages(organizationKindNames);
  const { locale } = useLocale();
  const { visible, showDemo } = useDemoFilter();
  const ceremonies = (foundation.ceremonies ?? []).filter(visible);
  const profile = foundation.givingProfile;
  return (
    <>
      <header className="page-header">
        <h1 data-testid="foundation-name">
          {named(foundation, locale)}
          {locale === 'zh' && foundation.nameEn && (
            <span className="subtitle" lang="en">
              {foundation.nameEn}
            </span>
          )}
        </h1>
        <ProvenanceBadge provenance={foundation.provenance} />
      </header>
      <dl className="facts">
        <Fact label={t.kind}>{kinds[foundation.kind]}</Fact>
        <Fact label={t.city}>{foundation.city?.nameZh ?? '—'}</Fact>
        {foundation.unifiedSocialCreditCode && (
          <Fact label={t.creditCode}>
            <code>{foundation.unifiedSocialCreditCode}</code>
          </Fact>
        )}
        {foundation.website && <Fact label={t.website}>{foundation.website}</Fact>}
      </dl>
      {foundation.description && <p className="description">{foundation.description}</p>}

      {profile ? (
        <>
          <ProfileView profile={profile} />
          <Matches key={`${foundation.id}:${String(showDemo)}`} foundationId={foundation.id} />
        </>
      ) : (
        <>
          <h2>{t.profileTitle}</h2>
          <p className="note note-locked" role="note" data-testid="profile-not-visible">
            {t.profileNotVisible}
          </p>
        </>
      )}

      {ceremonies.length > 0 && (
        <>
          <h2>{t.ceremonies}</h2>
          <table className="table" data-testid="ceremonies">
            <thead>
              <tr>
                <th scope="col">{t.name}</th>
                <th scope="col">{t.heldOn}</th>
                <th scope="col">{t.provenance}</th>
              </tr>
            </thead>
            <tbody>
              {ceremonies.map((ceremony) => (
                <tr key={ceremony.id}>
                  <td>
                    <Link to={`/ceremonies/${encodeURIComponent(ceremony.id)}`}>{titled(ceremony, locale)}</Link>
                  </td>
                  <td className="nowrap">{formatDate(ceremony.heldOn, locale)}</td>
                  <td>
                    <ProvenanceBadge provenance={ceremony.provenance} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}

function ProfileView({ profile }: { profile: Profile }) {
  const t = useMessages(messages);
  const c = useMessages(common);
  const fields = useMessages(fieldNames);
  const languages = useMessages(languageNames);
  const { locale } = useLocale();
  const list = (items: string[]) => (items.length > 0 ? items.join('、') : <span className="muted">{t.noPreference}</span>);
  return (
    <>
      <div className="profile-header">
        <h2>{t.profileTitle}</h2>
        <span className="muted">{fill(t.profileVersion, { version: profile.version, date: formatDate(profile.updatedAt, locale) })}</span>
        <ProvenanceBadge provenance={profile.provenance} />
      </div>
      <dl className="facts" data-testid="profile">
        <Fact label={t.visibility}>
          <span data-testid="profile-public">{profile.public ? t.profilePublic : t.profilePrivate}</span>
        </Fact>
        <Fact label={t.fieldsFunded}>
          <span data-testid="profile-fields">{list(profile.fields.map((field) => fields[field]))}</span>
        </Fact>
        <Fact label={t.preferredPrefectures}>
          <span data-testid="profile-prefectures">{list(profile.preferredPrefectures.map((prefecture) => prefecture.nameZh))}</span>
        </Fact>
        <Fact label={t.preferredCounties}>
          {profile.preferredCounties.length > 0 ? (
            profile.preferredCounties.map((county, index) => (
              <span key={county.code}>
                {index > 0 && '、'}
                <Link to={`/counties/${county.code}`}>{county.nameZh}</Link>
              </span>
            ))
          ) : (
            <span className="muted">{t.noPreference}</span>
          )}
        </Fact>
        <Fact label={t.pairedCity}>
          <span data-testid="profile-paired-city">{profile.pairedCity ? profile.pairedCity.nameZh : <span className="muted">{t.pairedCityNone}</span>}</span>
        </Fact>
        <Fact label={t.deepPoverty}>{profile.prioritizeDeepPoverty ? c.yes : c.no}</Fact>
        <Fact label={t.oldArea}>{profile.prioritizeRevolutionaryOldArea ? c.yes : c.no}</Fact>
        <Fact label={t.smallestGrant}>
          <Money amount={profile.smallestGrant} />
        </Fact>
        <Fact label={t.largestGrant}>
          <span data-testid="profile-largest-grant">
            <Money amount={profile.largestGrant} />
          </span>
        </Fact>
        <Fact label={t.yearlyBudget}>
          <Money amount={profile.yearlyBudget} />
        </Fact>
        <Fact label={t.reportingLanguages}>{list(profile.reportingLanguages.map((language) => languages[language]))}</Fact>
      </dl>
    </>
  );
}

/** The foundation's matches, best first, a page at a time (`first`/`after`); earlier cursors kept to go back. */
function Matches({ foundationId }: { foundationId: string }) {
  const t = useMessages(messages);
  const stages = useMessages(stageNames);
  const { locale } = useLocale();
  const { provenance, visible } = useDemoFilter();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const query = useGraphQuery(ConsoleFoundationMatchesDocument, { id: foundationId, first: PAGE_SIZE, after, provenance });
  const offset = (cursors.length - 1) * PAGE_SIZE;
  return (
    <QueryState query={query}>
      {(data) => {
        const page = data.jiangsuOrganization?.matches;
        if (!page) return null;
        const nodes = page.nodes.filter((match) => visible(match.project));
        return (
          <>
            <CountedHeading title={t.matchesTitle} count={page.totalCount} message={t.matchCount} testId="match-count" />
            {nodes.length === 0 ? (
              <p className="muted">{t.noMatches}</p>
            ) : (
              <table className="table" data-testid="matches">
                <thead>
                  <tr>
                    <th scope="col" className="number">
                      {t.rank}
                    </th>
                    <th scope="col">{t.project}</th>
                    <th scope="col">{t.county}</th>
                    <th scope="col">{t.stage}</th>
                    <th scope="col" className="number">
                      {t.stillSought}
                    </th>
                    <th scope="col" className="number">
                      {t.score}
                    </th>
                    <th scope="col">{t.reasons}</th>
                    <th scope="col">{t.provenance}</th>
                  </tr>
                </thead>
                <tbody>
                  {nodes.map((match, index) => (
                    <tr key={match.project.id} data-project={match.project.id}>
                      <td className="number">{offset + index + 1}</td>
                      <td data-testid="match-project">
                        <Link to={`/projects/${encodeURIComponent(match.project.id)}`}>{titled(match.project, locale)}</Link>
                      </td>
                      <td>
                        <Link to={`/counties/${match.project.county.code}`}>{match.project.county.nameZh}</Link>
                      </td>
                      <td className="nowrap">{match.project.stage ? stages[match.project.stage] : '—'}</td>
                      <td className="number" data-testid="match-still-sought">
                        <Money amount={match.stillSought} />
                      </td>
                      <td className="number">
                        <span className="score" data-testid="match-score" data-score={match.score}>
                          {match.score}
                          <span className="score-of"> / {page.maxScore}</span>
                        </span>
                      </td>
                      <td>
                        <ul className="reasons" data-testid="match-reasons">
                          {match.reasons.map((reason) => (
                            <li key={reason.code} data-code={reason.code} data-points={reason.points}>
                              <span className="reason-text">{locale === 'en' ? reason.en : reason.zh}</span>
                              <span className="reason-points">{fill(t.points, { points: reason.points })}</span>
                            </li>
                          ))}
                        </ul>
                      </td>
                      <td>
                        <ProvenanceBadge provenance={match.project.provenance} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {(cursors.length > 1 || page.pageInfo.hasNextPage) && (
              <nav className="pager" aria-label={t.pagination}>
                <button type="button" disabled={cursors.length <= 1 || query.isFetching} onClick={() => setCursors(cursors.slice(0, -1))}>
                  {t.previous}
                </button>
                <span data-testid="match-range">
                  {fill(t.pageRange, { from: formatCount(offset + 1, locale), to: formatCount(offset + page.nodes.length, locale), total: formatCount(page.totalCount, locale) })}
                </span>
                <button type="button" disabled={!page.pageInfo.hasNextPage || query.isFetching} onClick={() => page.pageInfo.endCursor && setCursors([...cursors, page.pageInfo.endCursor])}>
                  {t.next}
                </button>
              </nav>
            )}
          </>
        );
      }}
    </QueryState>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
