/**
 * The network report's numbers (issue 13): the evaluation indicators regional care networks use,
 * counted for a set of organisations over [from, to). The region of an administrator is their
 * organisations and every organisation with a member on the care team of a patient one of them
 * registered.
 */
import type { Sql } from '../sql.ts';

export interface NetworkNumbers {
  membersByProfession: Record<string, number>;
  patients: number;
  teamSizes: number[];
  acknowledgements: number;
  /** Posts of the team (not withdrawn) about the patients in the period. */
  posts: number;
  pagesPerPerson: number[];
}

export async function regionOf(sql: Sql, organisations: string[]): Promise<{ id: string; name: string }[]> {
  const r = await sql.query<{ id: string; name: string }>(
    `SELECT o.id, o.name FROM organisations o
      WHERE o.id = ANY($1::uuid[]) OR o.id IN (
        SELECT m.organisation_id FROM patients p
          JOIN care_team_members c ON c.patient_id = p.id
          JOIN memberships m ON m.user_id = c.user_id
         WHERE p.organisation_id = ANY($1::uuid[]))
      ORDER BY o.name, o.id`,
    [organisations],
  );
  return r.rows;
}

export async function networkNumbers(sql: Sql, organisations: string[], from: Date, to: Date): Promise<NetworkNumbers> {
  const members = await sql.query<{ profession: string; n: number }>(
    `SELECT u.profession, count(DISTINCT u.id)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = ANY($1::uuid[]) AND u.disabled_at IS NULL AND u.kind = 'person'
      GROUP BY u.profession`,
    [organisations],
  );
  const teams = await sql.query<{ size: number }>(
    `SELECT count(u.id)::int AS size FROM patients p
       LEFT JOIN care_team_members c ON c.patient_id = p.id
       LEFT JOIN users u ON u.id = c.user_id AND u.kind = 'person'
      WHERE p.organisation_id = ANY($1::uuid[]) GROUP BY p.id ORDER BY 1`,
    [organisations],
  );
  const acks = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alerts a JOIN patients p ON p.id = a.patient_id
      WHERE p.organisation_id = ANY($1::uuid[]) AND a.acknowledged_at >= $2 AND a.acknowledged_at < $3`,
    [organisations, from, to],
  );
  const posts = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM timeline_items i JOIN patients p ON p.id = i.patient_id
      WHERE p.organisation_id = ANY($1::uuid[]) AND i.kind = 'post' AND i.withdrawn_at IS NULL
        AND i.time >= $2 AND i.time < $3`,
    [organisations, from, to],
  );
  // A page is one step of one alert to one person, however many channels carried it.
  const pages = await sql.query<{ n: number }>(
    `SELECT count(DISTINCT (d.alert_id, d.event, d.step, d.round))::int AS n FROM notification_deliveries d
      WHERE d.status = 'delivered' AND d.delivered_at >= $2 AND d.delivered_at < $3
        AND d.user_id IN (SELECT m.user_id FROM memberships m WHERE m.organisation_id = ANY($1::uuid[]))
      GROUP BY d.user_id ORDER BY 1`,
    [organisations, from, to],
  );
  return {
    membersByProfession: Object.fromEntries(members.rows.map((r) => [r.profession, r.n])),
    patients: teams.rows.length,
    teamSizes: teams.rows.map((r) => r.size),
    acknowledgements: acks.rows[0]!.n,
    posts: posts.rows[0]!.n,
    pagesPerPerson: pages.rows.map((r) => r.n),
  };
}
