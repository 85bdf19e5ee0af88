/**
 * People around a patient for inject() tests (buildTestApp): a colleague of the administrator's
 * organisation, logged in, who is on no care team until a test puts them on one.
 */
import { hashPassword } from '../src/auth/secrets.ts';
import { addCareTeamMember, defaultClearance } from '../src/storage/repos/patients.ts';
import { addMembership, createUser } from '../src/storage/repos/people.ts';
import type { TestApp } from './app.ts';

export interface Colleague {
  id: string;
  token: string;
}

/** A staff member of the administrator's organisation, with a session. */
export async function addColleague(
  t: TestApp,
  c: { email: string; displayName?: string; profession?: string },
): Promise<Colleague> {
  const me = await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
  const organisationId = me.body.organisations[0]!.organisationId;
  const password = 'colleague-password-1';
  const profession = c.profession ?? 'nurse';
  const id = await createUser(t.sql, {
    email: c.email,
    displayName: c.displayName ?? c.email,
    profession,
    passwordHash: await hashPassword(password),
  });
  await addMembership(t.sql, id, organisationId, 'staff');
  return { id, token: await t.login(c.email, password) };
}

/** Puts a colleague on a patient's care team, with the clearance of their profession. */
export async function joinCareTeam(
  t: TestApp,
  patientId: string,
  userId: string,
  teamRole: 'attending' | 'lead' | 'member',
  profession = 'nurse',
): Promise<void> {
  await addCareTeamMember(t.sql, {
    patientId,
    userId,
    teamRole,
    clearance: defaultClearance(profession),
    addedBy: userId,
  });
}
