import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertTestServer, startAlertServer } from '../../test-support/alert-server.ts';
import { hashPassword } from '../auth/secrets.ts';
import { addMembership, createUser } from '../storage/repos/people.ts';

describe('alerts API over real ports: a patient outside the care team', () => {
  let t: AlertTestServer;
  let outsider: string;
  let nurseId: string;

  beforeAll(async () => {
    t = await startAlertServer({ backend: 'pglite' });
    await t.api('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' });
    const org = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    nurseId = await createUser(t.server.sql, {
      email: 'n@c.test',
      displayName: 'Nurse Ito',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.server.sql, nurseId, org, 'staff');
    outsider = (
      await t.api<{ token: string }>(
        'POST',
        '/api/v1/auth/login',
        { email: 'n@c.test', password: 'nurse-password-1' },
        null,
      )
    ).body.token;
  });
  afterAll(async () => t?.close());

  it('keeps the alerts of a patient outside the care team invisible', async () => {
    expect((await t.api('GET', '/api/v1/alerts', undefined, outsider)).body).toEqual([]);
    expect((await t.api('POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/ack', {}, outsider)).status).toBe(
      404,
    );
  });
});
