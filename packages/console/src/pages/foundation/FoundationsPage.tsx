import { useState } from 'react';
import { Link } from 'react-router';
import { Money } from '../../components/Money.tsx';
import { ProvenanceBadge } from '../../components/ProvenanceBadge.tsx';
import { CountedHeading } from '../../components/CountedHeading.tsx';
import { QueryState } from '../../components/QueryState.tsx';
import { useDemoFilter } from '../../demo-filter.tsx';
import { useGraphQuery } from '../../graph.ts';
import { ConsoleFoundationsDocument } from '../../gql/graphql.ts';
import { named, useLocale, useMessages } from '../../i18n.tsx';
import { fieldNames } from '../../messages.ts';
import { messages } from './messages.ts';
import './foundation.css';

/** /foundations — the Jiangsu foundations, each with its giving profile where the caller may read it. */
export function FoundationsPage() {
  const { provenance, visible } = useDemoFilter();
  const query = useGraphQuery(ConsoleFoundationsDocument, { provenance });
  const t = useMessages(messages);
  const fields = useMessages(fieldNames);
  const { locale } = useLocale();
  const [publicOnly, setPublicOnly] = useState(false);
  return (
    <section className="page">
      <header className="page-header">
        <h1>{t.listTitle}</h1>
      </header>
      <p className="lead">{t.listIntro}</p>
      <label className="filter">
        <input type="checkbox" checked={publicOnly} onChange={(event) => setPublicOnly(event.target.checked)} />
        {t.publicOnly}
      </label>
      <QueryState query={query}>
        {(data) => {
          const foundations = data.jiangsuOrganizations.filter(visible).filter((organization) => !publicOnly || organization.givingProfile?.public === true);
          return (
            <>
              <CountedHeading title={t.listTitle} count={foundations.length} message={t.foundationCount} testId="foundation-count" />
              {foundations.length === 0 ? (
                <p className="muted">{t.nothing}</p>
              ) : (
                <table className="table" data-testid="foundations">
                  <thead>
                    <tr>
                      <th scope="col">{t.name}</th>
                      <th scope="col">{t.city}</th>
                      <th scope="col">{t.profile}</th>
                      <th scope="col">{t.fieldsFunded}</th>
                      <th scope="col" className="number">
                        {t.largestGrant}
                      </th>
                      <th scope="col">{t.provenance}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {foundations.map((organization) => {
                      const profile = organization.givingProfile;
                      return (
                        <tr key={organization.id} data-foundation={organization.id}>
                          <td>
                            <Link to={`/foundations/${encodeURIComponent(organization.id)}`}>{named(organization, locale)}</Link>
                          </td>
                          <td>{organization.city?.nameZh ?? '—'}</td>
                          <td data-testid="profile-visibility">
                            {profile ? <span className={profile.public ? 'visibility visibility-public' : 'visibility'}>{profile.public ? t.profilePublic : t.profilePrivate}</span> : <span className="muted">{t.profileHidden}</span>}
                          </td>
                          <td>{profile ? (profile.fields.length > 0 ? profile.fields.map((field) => fields[field]).join('、') : t.anyField) : '—'}</td>
                          <td className="number">{profile ? <Money amount={profile.largestGrant} /> : '—'}</td>
                          <td>
                            <ProvenanceBadge provenance={organization.provenance} />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </QueryState>
    </section>
  );
}
