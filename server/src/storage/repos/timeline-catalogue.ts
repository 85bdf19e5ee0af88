/** An organisation's own tags and templates of posts (the built-ins: timeline/catalogue.ts). */
import type { Sql } from '../sql.ts';
import type { Clearance } from './patients.ts';

export interface TagDefinition {
  key: string;
  ja: string;
  en: string;
}

export interface TemplateField {
  key: string;
  ja: string;
  en: string;
  /** `text` (up to 2,000 characters) or `number`. */
  type: 'text' | 'number';
}

export interface TemplateDefinition {
  key: string;
  ja: string;
  en: string;
  fields: TemplateField[];
  /** The post's sensitivity unless the author says otherwise. */
  sensitivity: Clearance;
  /** Inserted as a frozen snapshot: the latest vitals, or the day's summary; null for none. */
  snapshot: 'latest' | 'day' | null;
}

/** Tags of the organisations named, the patient's first. */
export async function organisationTags(sql: Sql, organisationIds: string[]): Promise<TagDefinition[]> {
  const r = await sql.query<{ key: string; label_ja: string; label_en: string }>(
    `SELECT key, label_ja, label_en FROM timeline_tags WHERE organisation_id = ANY($1::uuid[])
      ORDER BY array_position($1::uuid[], organisation_id), key`,
    [organisationIds],
  );
  return r.rows.map((x) => ({ key: x.key, ja: x.label_ja, en: x.label_en }));
}

export async function organisationTemplates(sql: Sql, organisationIds: string[]): Promise<TemplateDefinition[]> {
  const r = await sql.query<{
    key: string;
    label_ja: string;
    label_en: string;
    fields: TemplateDefinition['fields'];
    sensitivity: TemplateDefinition['sensitivity'];
    snapshot: TemplateDefinition['snapshot'];
  }>(
    `SELECT key, label_ja, label_en, fields, sensitivity, snapshot FROM timeline_templates
      WHERE organisation_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], organisation_id), key`,
    [organisationIds],
  );
  return r.rows.map((x) => ({
    key: x.key,
    ja: x.label_ja,
    en: x.label_en,
    fields: x.fields,
    sensitivity: x.sensitivity,
    snapshot: x.snapshot,
  }));
}

export async function addOrganisationTag(sql: Sql, organisationId: string, t: TagDefinition): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO timeline_tags (organisation_id, key, label_ja, label_en) VALUES ($1,$2,$3,$4)
     ON CONFLICT (organisation_id, key) DO NOTHING`,
    [organisationId, t.key, t.ja, t.en],
  );
  return r.rowCount > 0;
}

export async function addOrganisationTemplate(
  sql: Sql,
  organisationId: string,
  t: TemplateDefinition,
): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO timeline_templates (organisation_id, key, label_ja, label_en, fields, sensitivity, snapshot)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (organisation_id, key) DO NOTHING`,
    [organisationId, t.key, t.ja, t.en, JSON.stringify(t.fields), t.sensitivity, t.snapshot],
  );
  return r.rowCount > 0;
}

/** The organisations whose tags a patient's posts may use: the registering one and those on its care team. */
export async function catalogueOrganisations(sql: Sql, patientId: string): Promise<string[]> {
  const r = await sql.query<{ organisation_id: string }>(
    `SELECT organisation_id FROM patients WHERE id = $1
     UNION
     SELECT m.organisation_id FROM care_team_members c JOIN memberships m ON m.user_id = c.user_id WHERE c.patient_id = $1`,
    [patientId],
  );
  return r.rows.map((x) => x.organisation_id);
}
