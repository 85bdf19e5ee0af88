/** Whether a caller may see an alert: exactly when they may see its patient (care team and clearance). */
import { notFound } from '../../errors.ts';
import { type AlertRow, findAlert } from '../../storage/repos/alerts.ts';
import { findVisiblePatient } from '../../storage/repos/patients.ts';
import type { Sql } from '../../storage/sql.ts';
import type { AuthUser } from '../context.ts';
import { isUuid } from '../ids.ts';

/** The alert, if the user may see its patient; 404 otherwise (existence is not revealed). */
export async function visibleAlert(sql: Sql, user: AuthUser, id: string): Promise<AlertRow> {
  if (!isUuid(id)) throw notFound('alert');
  const a = await findAlert(sql, id);
  if (!a || !(await findVisiblePatient(sql, user.id, a.patient_id))) throw notFound('alert');
  return a;
}
