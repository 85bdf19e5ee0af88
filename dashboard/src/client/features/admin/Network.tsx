/** The network report: per organisation, members by profession, team sizes, acknowledgements, alarm load. */
import { t, uiLocale } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi } from './api.ts';
import { professionLabel } from './labels.ts';

export function Network() {
  const report = useLoad((signal) => adminApi.network(signal), []);
  const r = report.data;
  return (
    <section aria-labelledby="network-heading">
      <h2 id="network-heading">{t('admin.network')}</h2>
      {report.error && <AlertBox text={report.error} />}
      {r && <p class="notice">{r.notice[uiLocale.value]}</p>}
      {r?.organisations.map((o) => (
        <article key={o.organisationId} class="report-org" data-testid="network-org">
          <h3>{o.name}</h3>
          <dl class="report">
            <dt>{t('admin.patients')}</dt>
            <dd>{o.indicators.patients}</dd>
            <dt>{t('admin.members')}</dt>
            <dd>
              {o.indicators.members.total} (
              {Object.entries(o.indicators.members.byProfession)
                .map(([p, n]) => `${professionLabel(p)} ${n}`)
                .join('、')}
              )
            </dd>
            <dt>{t('admin.postsPerPatientWeek')}</dt>
            <dd>{o.indicators.posts.perPatientWeek ?? '—'}</dd>
            <dt>{t('admin.acknowledgementsPerPatientWeek')}</dt>
            <dd>{o.indicators.acknowledgements.perPatientWeek ?? '—'}</dd>
            <dt>{t('admin.pagesPerPersonWeek')}</dt>
            <dd>{o.indicators.alarmLoad.perPersonWeek ?? '—'}</dd>
          </dl>
        </article>
      ))}
    </section>
  );
}
