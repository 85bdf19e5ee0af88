/**
 * The audit log for organisation administrators (issue 13; schemas in ./schemas.ts): rows of
 * their organisations and of the patients their organisations registered or have a member on
 * the care team of (storage/repos/audit.ts `listAudit`), as JSON pages or a streamed CSV.
 * Reading it is itself audited: `audit.read` and `audit.export`, one row per administered
 * organisation, with the filters used.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { badRequest } from '../../errors.ts';
import { type AuditQuery, type AuditRow, audit, listAudit } from '../../storage/repos/audit.ts';
import type { Sql } from '../../storage/sql.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import { csvLine, UTF8_BOM } from './csv.ts';
import * as schema from './schemas.ts';

const EXPORT_PAGE = 1000;
const CSV_HEADER = ['id', 'time', 'userId', 'organisationId', 'patientId', 'action', 'target', 'ip', 'detail'];

const entryJson = (r: AuditRow): Static<typeof schema.AuditEntry> => ({
  id: Number(r.id),
  time: r.at.toISOString(),
  userId: r.user_id,
  ...(r.organisation_id ? { organisationId: r.organisation_id } : {}),
  ...(r.patient_id ? { patientId: r.patient_id } : {}),
  action: r.action,
  ...(r.target !== null ? { target: r.target } : {}),
  ...(r.detail !== null ? { detail: r.detail } : {}),
  ...(r.ip !== null ? { ip: r.ip } : {}),
});

const csvRow = (r: AuditRow) =>
  csvLine([r.id, r.at.toISOString(), r.user_id, r.organisation_id, r.patient_id, r.action, r.target, r.ip, r.detail]);

type Filters = Static<typeof schema.AuditExportQuery>;

function auditQuery(organisations: string[], q: Filters, limit: number): AuditQuery {
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from >= to) throw badRequest('from must be before to');
  return {
    organisations,
    limit,
    ...(q.patientId ? { patientId: q.patientId } : {}),
    ...(q.userId ? { userId: q.userId } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(q.before ? { before: String(q.before) } : {}),
  };
}

/**
 * Every page of the query, newest first, as CSV lines after the BOM and the header. The first
 * page is read before the answer starts, so that a query the database refuses (a year-0 date)
 * is a 400 like the JSON list's, not a stream cut short.
 */
async function* csvPages(sql: Sql, q: AuditQuery, firstPage: AuditRow[]): AsyncGenerator<string> {
  yield UTF8_BOM + csvLine(CSV_HEADER);
  let rows = firstPage;
  for (;;) {
    if (rows.length > 0) yield rows.map(csvRow).join('');
    if (rows.length < q.limit) return;
    q = { ...q, before: rows.at(-1)!.id };
    rows = await listAudit(sql, q);
  }
}

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  const auditReading = async (req: FastifyRequest, action: string, filters: Filters, orgs: string[]) => {
    const u = requireAdmin(req);
    for (const org of orgs)
      await audit(sql, {
        userId: u.id,
        organisationId: org,
        action,
        ...(filters.patientId ? { patientId: filters.patientId } : {}),
        detail: filters,
        ip: req.ip,
      });
  };

  const exportCsv = async (req: FastifyRequest, reply: FastifyReply, filters: Filters) => {
    const orgs = administeredOrganisations(requireAdmin(req));
    const q = auditQuery(orgs, filters, EXPORT_PAGE);
    const firstPage = await listAudit(sql, q);
    await auditReading(req, 'audit.export', filters, orgs);
    const day = new Date().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="vitals-audit-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(csvPages(sql, q, firstPage)));
  };

  app.get(
    '/api/v1/audit',
    { schema: schema.list, config: { access: { organisationAdmin: 'any' } } },
    async (req, reply) => {
      const { limit, format, ...filters } = req.query;
      if (format === 'csv') return exportCsv(req, reply, filters);
      const orgs = administeredOrganisations(requireAdmin(req));
      const rows = await listAudit(sql, auditQuery(orgs, filters, limit ?? 100));
      await auditReading(req, 'audit.read', filters, orgs);
      return reply
        .header('cache-control', 'no-store')
        .type('application/json; charset=utf-8')
        .send(rows.map(entryJson));
    },
  );

  app.get(
    '/api/v1/audit.csv',
    { schema: schema.exportCsv, config: { access: { organisationAdmin: 'any' } } },
    async (req, reply) => exportCsv(req, reply, req.query),
  );
};
