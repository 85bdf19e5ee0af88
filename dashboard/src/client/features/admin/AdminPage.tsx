/** Administration (`#/admin/{section}`) for organisation administrators: one section at a time. */
import { useState } from 'preact/hooks';
import { currentUser } from '../../app/session.ts';
import { t } from '../../i18n.ts';
import { ADMIN_SECTIONS, type AdminSection } from '../../routes.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { Field } from '../../ui/Field.tsx';
import { Audit } from './Audit.tsx';
import { Devices } from './Devices.tsx';
import { Gateways } from './Gateways.tsx';
import { Network } from './Network.tsx';
import { Patients } from './Patients.tsx';
import { People } from './People.tsx';
import { Rotas } from './Rotas.tsx';

export function AdminPage({ section }: { section: AdminSection }) {
  const orgs = currentUser.value?.organisations.filter((o) => o.role === 'admin') ?? [];
  const [orgId, setOrgId] = useState(orgs[0]?.organisationId ?? '');
  document.title = `${t('admin.heading')} — ${t('app.title')}`;
  if (orgs.length === 0) return <AlertBox text={t('admin.notAdmin')} />;
  return (
    <section class="admin" aria-labelledby="admin-heading">
      <h1 id="admin-heading">{t('admin.heading')}</h1>
      {orgs.length > 1 && (
        <Field id="admin-org" label={t('admin.organisation')}>
          <select id="admin-org" value={orgId} onChange={(e) => setOrgId(e.currentTarget.value)}>
            {orgs.map((o) => (
              <option key={o.organisationId} value={o.organisationId}>
                {o.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <nav class="views" aria-label={t('admin.sections')}>
        {ADMIN_SECTIONS.map((s) => (
          <a key={s} href={`#/admin/${s}`} data-section={s} aria-current={s === section ? 'page' : undefined}>
            {t(`admin.${s}`)}
          </a>
        ))}
      </nav>
      {section === 'people' && <People orgId={orgId} />}
      {section === 'patients' && <Patients orgId={orgId} />}
      {section === 'rotas' && <Rotas orgId={orgId} />}
      {section === 'gateways' && <Gateways orgId={orgId} />}
      {section === 'devices' && <Devices />}
      {section === 'audit' && <Audit />}
      {section === 'network' && <Network />}
    </section>
  );
}
