import { useMessages } from '../i18n.tsx';
import { common } from '../messages.ts';

/** A path the console has no page for. */
export function NotFound() {
  const t = useMessages(common);
  return (
    <section className="page">
      <h1>{t.notFoundTitle}</h1>
      <p>{t.notFoundText}</p>
    </section>
  );
}
