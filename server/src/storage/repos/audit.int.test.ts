/**
 * The audit log is append-only and chained in the database (issue 13): UPDATE, DELETE and
 * TRUNCATE are refused, inserts from several connections form one chain, and a row changed or
 * removed behind the triggers' back is found by the verification.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../../test-support/harness.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';
import { openPostgres } from '../postgres.ts';
import type { Sql } from '../sql.ts';
import { audit, auditPatients, verifyAuditChain } from './audit.ts';
import { createPatient } from './patients.ts';
import { addMembership, createOrganisation, createUser } from './people.ts';

/** Runs `fn` with the append-only trigger off, as a database superuser tampering would. */
async function behindTheTriggers(sql: Sql, fn: (tx: Sql) => Promise<unknown>) {
  await sql.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await fn(tx);
    await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
}

describe.each(['pglite', 'postgres'] as const)('the audit log on %s', (kind) => {
  let sql: Sql;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  let clinic: string;
  let station: string;
  let nurse: string;
  let patient: string;

  beforeAll(async () => {
    sql = kind === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(sql);
    clinic = await createOrganisation(sql, { name: 'Clinic', kind: 'clinic' });
    station = await createOrganisation(sql, { name: 'Nurse station', kind: 'nurse_station' });
    nurse = await createUser(sql, { email: 'nurse@station.test', displayName: 'Nurse', passwordHash: 'x' });
    await addMembership(sql, nurse, station, 'staff');
    await addMembership(sql, nurse, clinic, 'staff');
    patient = await createPatient(sql, { displayName: 'Patient', organisationId: clinic, createdBy: nurse });
  }, 180_000);

  afterAll(async () => {
    await sql?.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows with an error that says the log is append-only', async () => {
    await audit(sql, { userId: nurse, action: 'test.refuse' });
    for (const statement of [
      "UPDATE audit_log SET action = 'changed'",
      'DELETE FROM audit_log',
      'TRUNCATE audit_log',
      'UPDATE audit_chain SET base_seq = 0',
      'DELETE FROM audit_chain',
    ])
      await expect(sql.query(statement), statement).rejects.toThrow(/the audit log is append-only/);
    expect((await sql.query("SELECT 1 FROM audit_log WHERE action = 'test.refuse'")).rowCount).toBe(1);
  });

  it('chains every row to the one before it, and the verification finds the chain intact', async () => {
    await audit(sql, { userId: nurse, patientId: patient, action: 'patient.read.latest', ip: '192.0.2.1' });
    await auditPatients(sql, { userId: nurse, patientIds: [patient, patient], action: 'wall.read' });
    const rows = (
      await sql.query<{ seq: number; prev_hash: string; hash: string }>(
        'SELECT seq::int AS seq, prev_hash, hash FROM audit_log ORDER BY seq',
      )
    ).rows;
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(rows.length);
    expect(await verifyAuditChain(sql)).toMatchObject({ ok: true, rows: rows.length, lastHash: rows.at(-1)!.hash });
  });

  it("gives each row the organisation that registered the patient when the user is a member of it, else the user's first", async () => {
    const other = await createPatient(sql, { displayName: 'Other', organisationId: clinic, createdBy: nurse });
    const elsewhere = await createOrganisation(sql, { name: 'Pharmacy', kind: 'pharmacy' });
    const theirs = await createPatient(sql, { displayName: 'Theirs', organisationId: elsewhere, createdBy: nurse });
    await audit(sql, { userId: nurse, patientId: other, action: 'org.patient' });
    await audit(sql, { userId: nurse, action: 'org.none' });
    await audit(sql, { userId: nurse, patientId: theirs, action: 'org.foreign' });
    await audit(sql, { userId: nurse, organisationId: elsewhere, action: 'org.given' });
    await audit(sql, { patientId: theirs, action: 'org.system' });
    await auditPatients(sql, { userId: nurse, patientIds: [other], action: 'org.many' });
    const org = async (action: string) =>
      (await sql.query<{ o: string | null }>('SELECT organisation_id AS o FROM audit_log WHERE action = $1', [action]))
        .rows[0]!.o;
    expect(await org('org.patient')).toBe(clinic);
    expect(await org('org.many')).toBe(clinic);
    expect(await org('org.none')).toBe(station);
    expect(await org('org.foreign')).toBe(station);
    expect(await org('org.given')).toBe(elsewhere);
    expect(await org('org.system')).toBe(elsewhere);
  });

  it('names the first changed row when a field was changed behind the triggers', async () => {
    await audit(sql, { userId: nurse, patientId: patient, action: 'patient.read.readings' });
    const target = (
      await sql.query<{ id: string; seq: number }>(
        "SELECT id::text, seq::int AS seq FROM audit_log WHERE action = 'patient.read.readings'",
      )
    ).rows[0]!;
    await audit(sql, { userId: nurse, action: 'after.tamper' });
    expect((await verifyAuditChain(sql)).ok).toBe(true);
    await behindTheTriggers(sql, (tx) =>
      tx.query('UPDATE audit_log SET user_id = $1 WHERE id = $2', [randomUUID(), target.id]),
    );
    const v = await verifyAuditChain(sql);
    expect(v).toMatchObject({ ok: false, broken: { id: target.id, seq: target.seq } });
    expect(v.ok || v.reason).toMatch(/changed after it was written/);
    // Putting the field back makes the chain whole again: the hash is over the fields themselves.
    await behindTheTriggers(sql, (tx) =>
      tx.query('UPDATE audit_log SET user_id = $1 WHERE id = $2', [nurse, target.id]),
    );
    expect((await verifyAuditChain(sql)).ok).toBe(true);
  });

  it('names the row after a removed one', async () => {
    for (const n of [1, 2, 3]) await audit(sql, { userId: nurse, action: `remove.${n}` });
    const seqOf = async (action: string) =>
      (
        await sql.query<{ id: string; seq: number }>(
          'SELECT id::text, seq::int AS seq FROM audit_log WHERE action = $1',
          [action],
        )
      ).rows[0]!;
    const third = await seqOf('remove.3');
    await behindTheTriggers(sql, (tx) => tx.query("DELETE FROM audit_log WHERE action = 'remove.2'"));
    expect(await verifyAuditChain(sql)).toMatchObject({ ok: false, broken: { id: third.id, seq: third.seq } });
  });
});

describe('the audit log on PostgreSQL with several server instances', () => {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const instances: Sql[] = [];

  afterAll(async () => {
    for (const s of instances) await s.close();
    await dropTestSchema(schema);
  });

  it('forms one intact chain from concurrent inserts of three connection pools, inside and outside transactions', async () => {
    for (let i = 0; i < 3; i++) instances.push(await openPostgres({ url: TEST_DATABASE_URL, schema, max: 4 }));
    await migrate(instances[0]!);
    const org = await createOrganisation(instances[0]!, { name: 'Clinic', kind: 'clinic' });
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      const sql = instances[i % 3]!;
      writes.push(
        i % 5 === 0
          ? sql.transaction(async (tx) => {
              await audit(tx, { organisationId: org, action: `concurrent.tx.${i}` });
              await audit(tx, { organisationId: org, action: `concurrent.tx.${i}.second` });
            })
          : audit(sql, { organisationId: org, action: `concurrent.${i}` }),
      );
    }
    await Promise.all(writes);
    const seqs = (await instances[1]!.query<{ seq: number }>('SELECT seq::int AS seq FROM audit_log ORDER BY seq'))
      .rows;
    expect(seqs).toHaveLength(360);
    expect(seqs.map((r) => r.seq)).toEqual(seqs.map((_, i) => i + 1));
    expect(await verifyAuditChain(instances[2]!)).toMatchObject({ ok: true, rows: 360 });
  }, 120_000);
});
