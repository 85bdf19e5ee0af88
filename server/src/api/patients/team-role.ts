/** Changes only the attending physician or the team lead of a patient may make (docs/alerts.md). */
import { forbidden } from '../../errors.ts';
import { teamRoleOf } from '../../storage/repos/care-team.ts';
import type { PatientRow } from '../../storage/repos/patients.ts';
import type { Sql } from '../../storage/sql.ts';
import type { AuthUser } from '../context.ts';
import { visiblePatient } from './access.ts';

/**
 * The patient, if the user is its attending physician or team lead: 404 when the user may not
 * see the patient (existence is not revealed), 403 when they may see it in another role.
 */
export async function patientLedBy(sql: Sql, user: AuthUser, id: string): Promise<PatientRow> {
  const p = await visiblePatient(sql, user, id);
  const role = await teamRoleOf(sql, p.id, user.id);
  if (role !== 'attending' && role !== 'lead')
    throw forbidden('only the attending physician or the team lead of this patient can change this');
  return p;
}
