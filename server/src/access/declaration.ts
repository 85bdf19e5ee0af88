/**
 * How a route declares who may call it (issue 13): `config: { access: ... }` on every /api/ route.
 * The access plugin (./plugin.ts) refuses to start the server when an /api/ route has none, and
 * enforces the declaration in one preHandler, before the handler runs.
 *
 * - `'none'`: the route names no patient (health, sign-in, the caller's own contacts, rotas,
 *   gateways of the caller's organisations, ...). The handler checks sign-in and ownership itself.
 * - `'visible-list'`: a signed-in caller; the route returns data of many patients and filters it
 *   with the one visible-patients fragment (storage `visiblePatientIds`): patient list, alerts,
 *   deliveries, reports, the live stream, the wall display.
 * - `{ patient: 'params.id', need }`: the route names one patient, by a path parameter, a query
 *   field or a body field (`'query.patientId'`, `'body.patientId'`). `optional: true` checks it
 *   only when it is sent (a list filter such as `GET /alerts?patientId=`).
 * - `{ item: 'alert', id: 'params.id', need }`: the route names an item of a patient (an alert, a
 *   silence, a timeline item); the patient is the item's, and an item of a hidden patient is not
 *   found. An item with a sensitivity of its own (a timeline item: `team` < `clinical` <
 *   `restricted`) is not found either when the caller's clearance does not reach it.
 *   A FHIR Observation is named by its FHIR id (`item: 'observation'`).
 *
 * A request with an API client's access token (the FHIR API, issue 17) is judged by the same
 * declaration: the client's patients only, up to its clearance, `read` only, audited with the
 * client's id in the row's detail.
 * - `{ organisationAdmin: 'params.orgId' }`: an administrator of that organisation (403 for
 *   anyone else); `'any'`: an administrator of some organisation.
 *
 * `need` of a patient:
 * - `read`: on the care team with a clearance reaching the patient's vitals sensitivity, or an
 *   active emergency access (counted as `clinical` clearance). Otherwise 404 `not_found`: the
 *   patient's existence is not revealed.
 * - `write`: on the care team (as `read`, but an emergency access does not allow changes: 403).
 * - `lead`: the attending physician or the team lead; 404 when the patient is not visible, 403
 *   when it is visible in another role.
 * - `emergency`: may open an emergency access: a member of the organisation that registered the
 *   patient or of an organisation with someone on its care team; 404 for anyone else.
 *
 * A GET of one patient's data writes an audit row (`audit` names the action, default
 * `patient.read` with the route as target); every refusal (404/403 by access) writes
 * `access.denied`. Changes are audited by their handlers, with what changed.
 */

export type PatientNeed = 'read' | 'write' | 'lead' | 'emergency';
export type RequestSource = `params.${string}` | `query.${string}` | `body.${string}`;
export type ItemKind = 'alert' | 'silence' | 'timeline-item' | 'observation';

export interface PatientAccess {
  patient: RequestSource;
  need: PatientNeed;
  optional?: boolean;
  audit?: AuditSpec;
}

export interface ItemAccess {
  item: ItemKind;
  id: RequestSource;
  need: PatientNeed;
  audit?: AuditSpec;
}

export interface AdminAccess {
  organisationAdmin: RequestSource | 'any';
}

/** The audit action of a read, and optionally a request field kept as its target. */
export type AuditSpec = string | { action: string; target: RequestSource };

export type AccessDeclaration = 'none' | 'visible-list' | PatientAccess | ItemAccess | AdminAccess;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route: see server/src/access/declaration.ts. Required on /api/ routes. */
    access?: AccessDeclaration;
  }
}

/**
 * The OpenAPI viewer's own routes (@fastify/swagger-ui under /api/docs, added by the library,
 * hidden from the document): the API's description, no data. Nothing else goes without.
 */
const UNDECLARED = /^\/api\/docs(\/|$)/;

const NEEDS: readonly PatientNeed[] = ['read', 'write', 'lead', 'emergency'];
const ITEMS: readonly ItemKind[] = ['alert', 'silence', 'timeline-item', 'observation'];
const SOURCE = /^(params|query|body)\.[A-Za-z_][A-Za-z0-9_]*$/;

/** A route as the check sees it: its URL and the property names of its query and body schemas. */
export interface RouteShape {
  method: string | string[];
  url: string;
  config?: { access?: unknown } | undefined;
  schema?: { querystring?: unknown; body?: unknown } | undefined;
}

/**
 * What is wrong with a route's declaration, or undefined when it is fine. Routes outside /api/
 * (the dashboard's files, the health check, the acknowledgement link) need none.
 */
export function declarationProblem(r: RouteShape): string | undefined {
  const where = `${[r.method].flat().join(',')} ${r.url}`;
  const d = r.config?.access;
  if (d === undefined) {
    if (!r.url.startsWith('/api/') || UNDECLARED.test(r.url)) return undefined;
    return `${where} declares no access: add config: { access: ... } (server/src/access/declaration.ts), 'none' when it names no patient`;
  }
  if (d === 'none' || d === 'visible-list') return undefined;
  if (typeof d !== 'object' || d === null) return `${where}: access must be 'none', 'visible-list' or an object`;
  const o = d as Record<string, unknown>;
  const sourceProblem = (s: unknown, name: string): string | undefined => {
    if (typeof s !== 'string' || !SOURCE.test(s)) return `${where}: ${name} must be 'params.X', 'query.X' or 'body.X'`;
    const [part, field] = s.split('.') as [string, string];
    if (part === 'params' && !r.url.split('/').includes(`:${field}`))
      return `${where}: ${name} names params.${field}, but the path has no :${field}`;
    if (part !== 'params') {
      const schema = (part === 'query' ? r.schema?.querystring : r.schema?.body) as
        | { properties?: Record<string, unknown> }
        | undefined;
      if (!schema?.properties || !Object.hasOwn(schema.properties, field))
        return `${where}: ${name} names ${s}, but the route's ${part} schema has no property ${field}`;
    }
    return undefined;
  };
  if ('organisationAdmin' in o)
    return o.organisationAdmin === 'any' ? undefined : sourceProblem(o.organisationAdmin, 'organisationAdmin');
  if (!NEEDS.includes(o.need as PatientNeed)) return `${where}: need must be one of ${NEEDS.join(', ')}`;
  if (o.audit !== undefined) {
    const a = o.audit as { action?: unknown; target?: unknown } | string;
    if (typeof a !== 'string' && (typeof a?.action !== 'string' || sourceProblem(a.target, 'audit.target')))
      return `${where}: audit must be an action name or { action, target: 'query.X' }`;
  }
  if ('item' in o) {
    if (!ITEMS.includes(o.item as ItemKind)) return `${where}: item must be one of ${ITEMS.join(', ')}`;
    return sourceProblem(o.id, 'id');
  }
  if ('patient' in o) return sourceProblem(o.patient, 'patient');
  return `${where}: access needs patient, item or organisationAdmin`;
}

/** The value a source names in a request (params, query or body), if any. */
export function valueAt(req: { params: unknown; query: unknown; body: unknown }, source: RequestSource): unknown {
  const [part, field] = source.split('.') as ['params' | 'query' | 'body', string];
  const holder = req[part];
  if (holder === null || typeof holder !== 'object' || !Object.hasOwn(holder, field)) return undefined;
  return (holder as Record<string, unknown>)[field];
}
