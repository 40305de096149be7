import { useLocale } from '../i18n.tsx';
import { groupYuan, type MoneyValue } from '../money.ts';

/** An exact amount of yuan, from the graph's decimal string; "—" when there is none. */
export function Money({ amount }: { amount: MoneyValue | string | null | undefined }) {
  const { locale } = useLocale();
  if (amount === null || amount === undefined) return <span className="money money-none">—</span>;
  const yuan = typeof amount === 'string' ? amount : amount.yuan;
  const grouped = groupYuan(yuan);
  return <span className="money" data-yuan={yuan}>{locale === 'zh' ? `${grouped} 元` : `¥${grouped}`}</span>;
}
