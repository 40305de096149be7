import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMessages } from '../../i18n.tsx';
import { messages } from './messages.ts';

/** Counties of the three real city pairings' prefectures, as ways in. */
const EXAMPLES = [
  { code: '611025', nameZh: '镇安县' },
  { code: '610927', nameZh: '镇坪县' },
  { code: '610827', nameZh: '米脂县' },
];

/** The counties: a county by its code, and the counties of the three real city pairings as ways in. */
export function CountiesPage() {
  const t = useMessages(messages);
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const open = (event: FormEvent) => {
    event.preventDefault();
    if (/^\d{6}$/.test(code.trim())) void navigate(`/counties/${code.trim()}`);
  };
  return (
    <section className="page">
      <h1>{t.title}</h1>
      <p className="lead">{t.intro}</p>
      <h2>{t.countyTitle}</h2>
      <form className="inline-form" onSubmit={open}>
        <label>
          {t.countyLabel}
          <input inputMode="numeric" pattern="\d{6}" value={code} onChange={(event) => setCode(event.target.value)} />
        </label>
        <button type="submit">{t.open}</button>
      </form>
      <p>
        {t.examples}{' '}
        {EXAMPLES.map((example) => (
          <Link key={example.code} to={`/counties/${example.code}`} className="example-link">
            {example.nameZh} {example.code}
          </Link>
        ))}
      </p>
    </section>
  );
}
