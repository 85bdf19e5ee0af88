/**
 * The access-control core as a fastify plugin (declarations: ./declaration.ts). Not
 * encapsulated, registered before any route:
 * - `onRoute` refuses to start the server when an /api/ route has no (or a malformed) access
 *   declaration, so a new route cannot forget;
 * - one `preHandler` enforces the declaration after validation and before the handler, puts the
 *   checked patient on the request (`req.patient`, with the caller's standing in `req.grant`) so
 *   handlers do not query it again, audits reads of one patient's data and every refusal.
 */
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, badRequest, forbidden, notFound, unauthorized } from '../errors.ts';
import { isObservationId } from '../fhir/ids.ts';
import { isUuid } from '../ids.ts';
import { findAlert } from '../storage/repos/alerts.ts';
import { clientPatientGrant } from '../storage/repos/api-clients.ts';
import { audit } from '../storage/repos/audit.ts';
import { readingsOfObservation } from '../storage/repos/fhir.ts';
import {
  type Clearance,
  EMERGENCY_CLEARANCE,
  type PatientRow,
  patientGrant,
  reaches,
} from '../storage/repos/patients.ts';
import { findSilence } from '../storage/repos/silences.ts';
import { timelineItemScope } from '../storage/repos/timeline.ts';
import type { Sql } from '../storage/sql.ts';
import {
  type AccessDeclaration,
  type AuditSpec,
  declarationProblem,
  type ItemKind,
  type PatientNeed,
  type RequestSource,
  valueAt,
} from './declaration.ts';
import { GrantCache, type GrantCacheOptions } from './grant-cache.ts';

/** The caller's standing towards the patient of the request, as the core found it. */
export interface Grant {
  patientId: string;
  /** The caller's role on the care team; null when not a member (emergency access). */
  teamRole: 'attending' | 'lead' | 'member' | null;
  clearance: Clearance | null;
  /** Until when an emergency access of the caller runs, if one does. */
  emergencyUntil: Date | null;
  /** The caller's organisation the audit rows name (organisationFor). */
  organisationId: string | null;
}

/**
 * A machine calling with an API client's access token (FHIR API only, issue 17): it is no user,
 * so it sees exactly the patients the client names, up to the client's clearance, and reads only.
 */
export interface ApiClientCaller {
  id: string;
  organisationId: string;
  clearance: 'team' | 'clinical';
  scopes: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The patient the route declared, checked by the access core; null on other routes. */
    patient: PatientRow | null;
    grant: Grant | null;
    /** The API client of a request with a client's access token (set by the FHIR API); null otherwise. */
    apiClient: ApiClientCaller | null;
  }
  interface FastifyInstance {
    /** How long an emergency access lasts (VITALS_EMERGENCY_ACCESS_MINUTES). */
    emergencyAccessMinutes: number;
  }
}

interface Caller {
  id: string;
  memberships: readonly { organisationId: string; role: 'admin' | 'staff' }[];
}

/**
 * The organisation an audit row of this caller about this patient names: the patient's own when
 * the caller belongs to it, else the caller's first organisation (the one they act for on a
 * team across organisations); null for a caller of no organisation.
 */
export function organisationFor(caller: Caller, patientOrganisation: string | null): string | null {
  if (patientOrganisation && caller.memberships.some((m) => m.organisationId === patientOrganisation))
    return patientOrganisation;
  return caller.memberships[0]?.organisationId ?? null;
}

/** An item's patient and, where the item has one, its own sensitivity. */
interface ItemScope {
  patientId: string;
  sensitivity?: Clearance;
}

/** The patient (and sensitivity) of an item, or undefined when the item does not exist. */
const ITEM_SCOPE: Record<ItemKind, (sql: Sql, id: string) => Promise<ItemScope | undefined>> = {
  alert: async (sql, id) => {
    const a = await findAlert(sql, id);
    return a && { patientId: a.patient_id };
  },
  silence: async (sql, id) => {
    const s = await findSilence(sql, id);
    return s && { patientId: s.patient_id };
  },
  'timeline-item': async (sql, id) => {
    const i = await timelineItemScope(sql, id);
    return i && { patientId: i.patient_id, sensitivity: i.sensitivity };
  },
  observation: async (sql, id) => {
    const r = (await readingsOfObservation(sql, id))[0];
    return r && { patientId: r.patient_id };
  },
};

/** The clearance the caller reads a patient's items with: the team member's, or an emergency access's. */
export function clearanceOf(grant: Grant): Clearance {
  return grant.clearance ?? EMERGENCY_CLEARANCE;
}

/** The checked patient of a route that declared one; a programming error on any other route. */
export function checkedPatient(req: FastifyRequest): PatientRow {
  if (!req.patient) throw new AppError('internal', 'the route declared no patient access');
  return req.patient;
}

/** The caller's standing checked by the core; a programming error on a route that declared no patient. */
export function checkedGrant(req: FastifyRequest): Grant {
  if (!req.grant) throw new AppError('internal', 'the route declared no patient access');
  return req.grant;
}

/** The signed-in caller of a route the core checked (every route but `'none'` needs one). */
function callerOf(req: FastifyRequest): Caller {
  const u = req.user;
  if (!u) throw unauthorized();
  return u;
}

type NamedDeclaration = Exclude<AccessDeclaration, 'none' | 'visible-list' | { organisationAdmin: unknown }>;

/**
 * The patient a declaration names in this request (through an item, or directly); undefined
 * when an optional one is not sent. Throws 404 for a missing or malformed path id, 400 for a
 * malformed query or body id.
 */
async function namedPatient(
  req: FastifyRequest,
  d: NamedDeclaration,
): Promise<{ id: string; what: string; patientId: string; item: ItemScope | undefined } | undefined> {
  const source = 'item' in d ? d.id : d.patient;
  const what = 'item' in d ? d.item.replace('-', ' ') : 'patient';
  const raw = valueAt(req, source);
  if (raw === undefined && 'patient' in d && d.optional) return undefined;
  const id = 'item' in d ? itemId(d.item, raw) : typeof raw === 'string' && isUuid(raw) ? raw.toLowerCase() : undefined;
  // A malformed id in a path is one that does not exist; in a query or body it is a bad request.
  if (!id && source.startsWith('params.')) throw notFound(what);
  if (!id) throw badRequest(`${source.slice(source.indexOf('.') + 1)} must be a UUID, got ${JSON.stringify(raw)}`);
  const item = 'item' in d ? await ITEM_SCOPE[d.item](req.server.sql, id) : undefined;
  const patientId = 'item' in d ? item?.patientId : id;
  if (!patientId) throw notFound(what);
  return { id, what, patientId, item };
}

/** An item's id as the request names it: a UUID, or for an Observation its FHIR id (md5 hex). */
function itemId(kind: ItemKind, raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (kind === 'observation') return isObservationId(raw) ? raw : undefined;
  return isUuid(raw) ? raw.toLowerCase() : undefined;
}

/** The access core for an API client: the client's patients only, reads only, audited under the client. */
async function clientAccess(req: FastifyRequest, client: ApiClientCaller, d: AccessDeclaration): Promise<void> {
  if (d === 'none' || d === 'visible-list') return;
  if ('organisationAdmin' in d) throw forbidden('an API client cannot administer; sign in as an administrator');
  const named = await namedPatient(req, d);
  if (!named) return;
  const { id, what, patientId, item } = named;
  const sql = req.server.sql;
  const g = await clientPatientGrant(sql, client.id, client.clearance, patientId);
  const visible = !!g?.visible && !(item?.sensitivity && !reaches(client.clearance, item.sensitivity));
  const detail = { apiClientId: client.id };
  if (!g || !visible || d.need !== 'read') {
    await audit(sql, {
      organisationId: client.organisationId,
      patientId: g ? patientId : null,
      action: 'access.denied',
      target: id,
      detail: { ...detail, route: `${req.method} ${req.routeOptions.url}`, need: d.need, status: visible ? 403 : 404 },
      ip: req.ip,
    });
    if (!visible) throw notFound(what);
    throw forbidden('an API client reads; it cannot change anything');
  }
  const { visible: _v, ...patient } = g;
  req.patient = patient;
  req.grant = {
    patientId: g.id,
    teamRole: null,
    clearance: client.clearance,
    emergencyUntil: null,
    organisationId: client.organisationId,
  };
  if (req.method === 'GET' || req.method === 'HEAD')
    await audit(sql, {
      organisationId: client.organisationId,
      patientId: g.id,
      ...auditOf(req, d.audit),
      detail,
      ip: req.ip,
    });
}

export const accessPlugin = fp<{ emergencyAccessMinutes: number; grantCache?: GrantCacheOptions }>(
  async (app, o) => {
    app.decorate('emergencyAccessMinutes', o.emergencyAccessMinutes);
    const grants = new GrantCache(o.grantCache);
    const forget = ({ patientId }: { patientId: string }) => grants.dropPatient(patientId);
    const ends = [
      app.events.subscribe('care-team.changed', forget, { scope: 'cluster' }),
      app.events.subscribe('patient.changed', forget, { scope: 'cluster' }),
    ];
    app.addHook('onClose', async () => {
      for (const end of ends) end();
    });
    app.decorateRequest('patient', null);
    app.decorateRequest('grant', null);
    app.decorateRequest('apiClient', null);

    app.addHook('onRoute', (r) => {
      const problem = declarationProblem(r);
      if (problem) throw new Error(`access declaration: ${problem}`);
    });

    app.addHook('preHandler', async (req) => {
      const d: AccessDeclaration | undefined = req.routeOptions.config.access;
      if (d === undefined || d === 'none') return;
      if (!req.user && req.apiClient) return clientAccess(req, req.apiClient, d);
      const caller = callerOf(req);
      if (d === 'visible-list') return;
      if ('organisationAdmin' in d) {
        const admin = caller.memberships.filter((m) => m.role === 'admin').map((m) => m.organisationId);
        const wanted = d.organisationAdmin === 'any' ? undefined : valueAt(req, d.organisationAdmin);
        if (wanted === undefined ? admin.length === 0 : !admin.includes(String(wanted)))
          throw forbidden('this needs an administrator of the organisation; ask one of its administrators');
        return;
      }
      const named = await namedPatient(req, d);
      if (!named) return;
      const { id, what, patientId, item } = named;
      // An emergency access is never answered from memory (it asks about related organisations).
      const remembered = d.need === 'emergency' ? undefined : grants.get(caller.id, patientId);
      const g =
        remembered ??
        (await patientGrant(app.sql, caller.id, patientId, { relatedOrganisation: d.need === 'emergency' }));
      if (g && !remembered && d.need !== 'emergency') grants.set(caller.id, patientId, g);
      const organisationId = organisationFor(caller, g?.organisation_id ?? null);
      const refuse = async (status: 403 | 404, message?: string): Promise<never> => {
        await audit(app.sql, {
          userId: caller.id,
          organisationId,
          patientId: g ? patientId : null,
          action: 'access.denied',
          target: id,
          detail: { route: `${req.method} ${req.routeOptions.url}`, need: d.need, status },
          ip: req.ip,
        });
        throw status === 404 ? notFound(what) : forbidden(message);
      };
      if (!g) return refuse(404);
      const need: PatientNeed = d.need;
      if (need === 'emergency') {
        if (!g.related_organisation) return refuse(404);
      } else {
        if (!g.visible) return refuse(404);
        // An item above the caller's clearance is not there for them (issue 15: a care manager
        // never learns that a clinical post exists).
        if (item?.sensitivity && !reaches(g.clearance ?? EMERGENCY_CLEARANCE, item.sensitivity)) return refuse(404);
        const member = g.team_role !== null;
        if (need === 'write' && !member)
          return refuse(
            403,
            'an emergency access lets you read, not change; ask the attending physician or the lead to add you to the care team',
          );
        if (need === 'lead' && g.team_role !== 'attending' && g.team_role !== 'lead')
          return refuse(403, 'only the attending physician or the team lead of this patient can change this');
      }
      req.patient = {
        id: g.id,
        display_name: g.display_name,
        birth_date: g.birth_date,
        timezone: g.timezone,
        organisation_id: g.organisation_id,
        vitals_sensitivity: g.vitals_sensitivity,
        spo2_scale: g.spo2_scale,
        area: g.area,
        created_at: g.created_at,
      };
      req.grant = {
        patientId: g.id,
        teamRole: g.team_role,
        clearance: g.clearance,
        emergencyUntil: g.emergency_until,
        organisationId,
      };
      if ((req.method === 'GET' || req.method === 'HEAD') && need !== 'emergency')
        await audit(app.sql, {
          userId: caller.id,
          organisationId,
          patientId: g.id,
          ...auditOf(req, d.audit),
          ...(g.team_role === null ? { detail: { emergencyAccess: true } } : {}),
          ip: req.ip,
        });
    });
  },
  { name: 'access', fastify: '5.x', dependencies: ['database', 'auth', 'events'] },
);

function auditOf(req: FastifyRequest, spec: AuditSpec | undefined): { action: string; target?: string } {
  if (spec === undefined) return { action: 'patient.read', target: `${req.method} ${req.routeOptions.url}` };
  if (typeof spec === 'string') return { action: spec };
  const t = valueAt(req, spec.target as RequestSource);
  return { action: spec.action, ...(t === undefined ? {} : { target: String(t).slice(0, 200) }) };
}
