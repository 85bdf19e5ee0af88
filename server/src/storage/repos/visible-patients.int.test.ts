/**
 * The one visible-patients rule (`visiblePatientIds`) on both databases, through every list that
 * uses it: care-team membership with a clearance reaching the patient's vitals sensitivity, or an
 * active emergency access counted as `clinical`. The two holes issue 13 found (the alarm-load
 * report and the delivery list ignoring clearance) are asserted closed here, through the rule.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../../test-support/harness.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';
import { openPostgres } from '../postgres.ts';
import type { Sql } from '../sql.ts';
import { alarmLoad, insertAlert, listAlerts } from './alerts.ts';
import { enqueueDeliveries, listDeliveries } from './deliveries.ts';
import { openEmergencyAccess } from './emergency-access.ts';
import {
  addCareTeamMember,
  type Clearance,
  createPatient,
  findVisiblePatient,
  listVisiblePatients,
  patientGrant,
  patientViewers,
} from './patients.ts';
import { addMembership, createOrganisation, createUser } from './people.ts';

describe.each(['pglite', 'postgres'] as const)('visible patients on %s', (kind) => {
  let sql: Sql;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  let org: string;
  let lead: string;

  const user = async (name: string) => {
    const id = await createUser(sql, {
      email: `${name}@x.test`,
      displayName: name,
      profession: 'nurse',
      passwordHash: 'x',
    });
    await addMembership(sql, id, org, 'staff');
    return id;
  };
  const patient = async (sensitivity: Clearance) => {
    const id = await createPatient(sql, { displayName: `p-${sensitivity}`, organisationId: org, createdBy: lead });
    await sql.query('UPDATE patients SET vitals_sensitivity = $2 WHERE id = $1', [id, sensitivity]);
    await addCareTeamMember(sql, {
      patientId: id,
      userId: lead,
      teamRole: 'lead',
      clearance: 'restricted',
      addedBy: lead,
    });
    const now = new Date();
    await insertAlert(sql, {
      patientId: id,
      rule: 'spo2_low',
      priority: 'high',
      state: 'firing',
      onsetAt: now,
      openedAt: now,
      now,
    });
    await enqueueDeliveries(sql, [
      {
        idempotencyKey: randomUUID(),
        alertId: null,
        patientId: id,
        event: 'alert.page',
        channel: 'email',
        userId: lead,
        target: 'lead@x.test',
        payload: {},
        maxAttempts: 1,
        now,
      },
    ]);
    return id;
  };
  /** What each list shows the user, as sets of patient ids. */
  const seen = async (userId: string) => {
    const day = 86_400_000;
    return {
      patients: new Set((await listVisiblePatients(sql, userId)).map((p) => p.id)),
      alerts: new Set((await listAlerts(sql, { userId, limit: 100 })).map((a) => a.patient_id)),
      alarmLoad: new Set(
        (await alarmLoad(sql, userId, new Date(Date.now() - day), new Date(Date.now() + day))).map((r) => r.patient_id),
      ),
      deliveries: new Set((await listDeliveries(sql, userId, undefined, 100)).map((d) => d.patient_id)),
    };
  };
  const each = (ids: string[]) => {
    const s = new Set(ids);
    return { patients: s, alerts: s, alarmLoad: s, deliveries: s };
  };

  beforeAll(async () => {
    sql = kind === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(sql);
    org = await createOrganisation(sql, { name: 'Clinic', kind: 'clinic' });
    lead = await user('lead');
  });
  afterAll(async () => {
    await sql?.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  });

  it('shows a team member only the patients their clearance reaches, in every list', async () => {
    const open = await patient('team');
    const clinical = await patient('clinical');
    const worker = await user('care-worker');
    for (const p of [open, clinical])
      await addCareTeamMember(sql, {
        patientId: p,
        userId: worker,
        teamRole: 'member',
        clearance: 'team',
        addedBy: lead,
      });
    expect(await seen(worker)).toEqual(each([open]));
    expect(await findVisiblePatient(sql, worker, clinical)).toBeUndefined();
    expect(await patientViewers(sql, clinical)).toEqual([lead]);
    const stranger = await user('stranger');
    expect(await seen(stranger)).toEqual(each([]));
  });

  it('counts an active emergency access as clinical clearance, and forgets it when it ends', async () => {
    const clinical = await patient('clinical');
    const restricted = await patient('restricted');
    const doctor = await user('covering-doctor');
    for (const p of [clinical, restricted])
      await openEmergencyAccess(sql, {
        patientId: p,
        userId: doctor,
        organisationId: org,
        reason: 'called at night',
        minutes: 60,
      });
    expect(await seen(doctor)).toEqual(each([clinical]));
    expect(await patientGrant(sql, doctor, clinical, { relatedOrganisation: true })).toMatchObject({
      visible: true,
      team_role: null,
      related_organisation: true,
    });
    expect((await patientGrant(sql, doctor, restricted))?.visible).toBe(false);
    expect((await patientViewers(sql, clinical)).sort()).toEqual([lead, doctor].sort());
    // An hour later (the right-hand sides read the old values): it ran out by itself.
    await sql.query(
      "UPDATE emergency_access SET started_at = started_at - interval '2 hours', expires_at = started_at - interval '1 hour' WHERE user_id = $1",
      [doctor],
    );
    expect(await seen(doctor)).toEqual(each([]));
    expect((await patientGrant(sql, doctor, clinical))?.emergency_until).toBeNull();
  });

  it('knows whether a user is related to the patient through an organisation', async () => {
    const p = await patient('team');
    const otherOrg = await createOrganisation(sql, { name: 'Pharmacy', kind: 'pharmacy' });
    const pharmacist = await createUser(sql, {
      email: 'ph@x.test',
      displayName: 'ph',
      profession: 'pharmacist',
      passwordHash: 'x',
    });
    await addMembership(sql, pharmacist, otherOrg, 'staff');
    expect((await patientGrant(sql, pharmacist, p, { relatedOrganisation: true }))?.related_organisation).toBe(false);
    const colleague = await createUser(sql, {
      email: 'ph2@x.test',
      displayName: 'ph2',
      profession: 'pharmacist',
      passwordHash: 'x',
    });
    await addMembership(sql, colleague, otherOrg, 'staff');
    await addCareTeamMember(sql, {
      patientId: p,
      userId: colleague,
      teamRole: 'member',
      clearance: 'clinical',
      addedBy: lead,
    });
    expect((await patientGrant(sql, pharmacist, p, { relatedOrganisation: true }))?.related_organisation).toBe(true);
    expect(await patientGrant(sql, pharmacist, randomUUID())).toBeUndefined();
  });
});
