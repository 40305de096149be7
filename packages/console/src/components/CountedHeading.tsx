import { fill, formatCount, useLocale } from '../i18n.tsx';

/**
 * A section's heading with how many records it lists (`message` fills in `{count}`), in the
 * chosen language's numerals; no count while it is not known yet.
 */
export function CountedHeading({ title, count, message, testId, level = 2 }: { title: string; count: number | undefined; message: string; testId: string; level?: 2 | 3 }) {
  const { locale } = useLocale();
  const Heading = level === 3 ? 'h3' : 'h2';
  return (
    <Heading>
      {title}{' '}
      {count !== undefined && (
        <span className="count" data-testid={testId}>
          {fill(message, { count: formatCount(count, locale) })}
        </span>
      )}
    </Heading>
  );
}
