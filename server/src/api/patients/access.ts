/** Whether a caller may see a patient: care-team membership with clearance reaching the vitals. */
import { notFound } from '../../errors.ts';
import { findVisiblePatient, type PatientRow } from '../../storage/repos/patients.ts';
import type { Sql } from '../../storage/sql.ts';
import type { AuthUser } from '../context.ts';
import { isUuid } from '../ids.ts';

/** The patient, if the user is on its care team; 404 otherwise (existence is not revealed). */
export async function visiblePatient(sql: Sql, user: AuthUser, id: string): Promise<PatientRow> {
  if (!isUuid(id)) throw notFound('patient');
  const p = await findVisiblePatient(sql, user.id, id);
  if (!p) throw notFound('patient');
  return p;
}
