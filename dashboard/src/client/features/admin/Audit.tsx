/** The audit log of the organisations the caller administers, newest first; CSV export for the full record. */
import { t, uiLocale } from '../../i18n.ts';
import { formatFullDateTime } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi } from './api.ts';
import { TableHead } from './TableHead.tsx';

export function Audit() {
  const rows = useLoad((signal) => adminApi.audit({ limit: 200 }, signal), []);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section aria-labelledby="audit-heading">
      <h2 id="audit-heading">{t('admin.audit')}</h2>
      <p>
        <a href="/api/v1/audit.csv" download>
          {t('admin.auditCsv')}
        </a>
      </p>
      {rows.error && <AlertBox text={rows.error} />}
      <table class="admin-table" data-testid="audit-table">
        <TableHead
          columns={[t('admin.time'), t('admin.action'), t('admin.user'), t('alerts.patient'), t('admin.target')]}
        />
        <tbody>
          {rows.data?.map((r) => (
            <tr key={r.id}>
              <td>{formatFullDateTime(Date.parse(r.time), zone, uiLocale.value)}</td>
              <td>
                <code>{r.action}</code>
              </td>
              <td>{r.userId ?? ''}</td>
              <td>{r.patientId ?? ''}</td>
              <td>{r.target ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
