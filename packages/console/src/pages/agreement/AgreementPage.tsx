import { useParams } from 'react-router';
import { AgreementDashboard } from './AgreementDashboard.tsx';

/** /agreements/:id — one agreement's dashboard. */
export function AgreementPage() {
  const { id = '' } = useParams();
  return (
    <section className="page agreement-page">
      <AgreementDashboard id={id} />
    </section>
  );
}
