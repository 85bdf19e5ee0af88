/** On-call rotas and their overrides. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export interface RotaOverride {
  userId: string;
  from: number; // ms, UTC
  to: number;
}

export interface Rota {
  id: string;
  organisationId: string;
  name: string;
  timezone: string;
  /** Local time the shift changes hands ("09:00"). */
  handoverTime: string;
  /** Length of one shift in days (1 = daily rotation, 7 = weekly). */
  shiftDays: number;
  /** Local date on which members[0] starts the first shift. */
  startDate: string;
  members: string[];
  overrides: RotaOverride[];
}

interface RotaRow {
  id: string;
  organisation_id: string;
  name: string;
  timezone: string;
  handover_time: string;
  shift_days: number;
  start_date: string;
  members: string[];
}

const ROTA_COLUMNS = `id, organisation_id, name, timezone, handover_time, shift_days, to_char(start_date, 'YYYY-MM-DD') AS start_date, members`;

async function withOverrides(sql: Sql, rows: RotaRow[]): Promise<Rota[]> {
  if (rows.length === 0) return [];
  const o = await sql.query<{ rota_id: string; user_id: string; starts_at: Date; ends_at: Date }>(
    'SELECT rota_id, user_id, starts_at, ends_at FROM oncall_overrides WHERE rota_id = ANY($1::uuid[]) ORDER BY created_at, id',
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    timezone: r.timezone,
    handoverTime: r.handover_time,
    shiftDays: r.shift_days,
    startDate: r.start_date,
    members: r.members,
    overrides: o.rows
      .filter((x) => x.rota_id === r.id)
      .map((x) => ({ userId: x.user_id, from: x.starts_at.getTime(), to: x.ends_at.getTime() })),
  }));
}

export async function createRota(sql: Sql, r: Omit<Rota, 'id' | 'overrides'>, userId: string): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO oncall_rotas (id, organisation_id, name, timezone, handover_time, shift_days, start_date, members, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [id, r.organisationId, r.name, r.timezone, r.handoverTime, r.shiftDays, r.startDate, r.members, userId],
  );
  return id;
}

export async function updateRota(sql: Sql, id: string, r: Omit<Rota, 'id' | 'overrides' | 'organisationId'>) {
  await sql.query(
    `UPDATE oncall_rotas SET name = $2, timezone = $3, handover_time = $4, shift_days = $5, start_date = $6, members = $7,
       updated_at = now() WHERE id = $1`,
    [id, r.name, r.timezone, r.handoverTime, r.shiftDays, r.startDate, r.members],
  );
}

export async function findRota(sql: Sql, id: string): Promise<Rota | undefined> {
  const r = await sql.query<RotaRow>(`SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE id = $1`, [id]);
  return (await withOverrides(sql, r.rows))[0];
}

export async function findRotas(sql: Sql, ids: string[]): Promise<Map<string, Rota>> {
  if (ids.length === 0) return new Map();
  const r = await sql.query<RotaRow>(`SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map((await withOverrides(sql, r.rows)).map((x) => [x.id, x]));
}

export async function listRotas(sql: Sql, organisationIds: string[]): Promise<Rota[]> {
  const r = await sql.query<RotaRow>(
    `SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE organisation_id = ANY($1::uuid[]) ORDER BY name`,
    [organisationIds],
  );
  return withOverrides(sql, r.rows);
}

export async function addRotaOverride(
  sql: Sql,
  o: { rotaId: string; userId: string; from: Date; to: Date; reason?: string; createdBy: string },
) {
  const id = randomUUID();
  await sql.query(
    'INSERT INTO oncall_overrides (id, rota_id, user_id, starts_at, ends_at, reason, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)',
    [id, o.rotaId, o.userId, o.from, o.to, o.reason ?? null, o.createdBy],
  );
  return id;
}
