/**
 * Whether a person may receive a patient's data through a notification or act on it through
 * an acknowledgement link: an active user who may see the patient now, by the same
 * care-team and clearance rule as the patient routes (issue 11, item 7).
 */
import { usersByIds } from '../storage/repos/care-team.ts';
import { findVisiblePatient } from '../storage/repos/patients.ts';
import type { Sql } from '../storage/sql.ts';

export async function maySeePatient(sql: Sql, userId: string, patientId: string): Promise<boolean> {
  if (!(await usersByIds(sql, [userId])).has(userId)) return false;
  return (await findVisiblePatient(sql, userId, patientId)) !== undefined;
}
