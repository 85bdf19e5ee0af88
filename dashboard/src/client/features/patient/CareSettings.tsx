/**
 * The patient's care settings on the record itself, for the care team (not only administrators):
 * the measurement schedules (any member adds or removes one) and, for the attending physician and
 * the team lead who may change it, the escalation policy. Folded away until opened.
 */
import { currentUser } from '../../app/session.ts';
import { t } from '../../i18n.ts';
import { useLoad } from '../../ui/use-load.ts';
import { EscalationPolicy } from '../admin/EscalationPolicy.tsx';
import { Schedules } from '../admin/Schedules.tsx';
import { patientApi } from './api.ts';

export function CareSettings({ patientId, zone }: { patientId: string; zone: string }) {
  const team = useLoad((signal) => patientApi.team(patientId, signal), [patientId]);
  const me = team.data?.find((m) => m.userId === currentUser.value?.id);
  const leads = me?.teamRole === 'attending_physician' || me?.teamRole === 'lead';
  return (
    <details class="record-settings" data-testid="record-settings">
      <summary>{t('record.careSettings')}</summary>
      <Schedules patientId={patientId} zone={zone} />
      {leads && <EscalationPolicy patientId={patientId} />}
    </details>
  );
}
