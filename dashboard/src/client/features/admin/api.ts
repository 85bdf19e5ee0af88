/** Administration calls: people, patients and care teams, gateways, devices and bindings, audit, report. */
import { type Answer, type Body, request, seg } from '../../api.ts';

export type OrgUser = Answer<'/api/v1/organisations/{orgId}/users'>[number];
export type Invitation = Answer<'/api/v1/organisations/{orgId}/users', 'post'>;
export type InviteBody = Body<'/api/v1/organisations/{orgId}/users'>;
export type Person = Answer<'/api/v1/people'>[number];
export type PatientSummary = Answer<'/api/v1/patients'>[number];
export type TeamMember = Answer<'/api/v1/patients/{id}/team'>[number];
export type TeamBody = Body<'/api/v1/patients/{id}/team'>;
export type Gateway = Answer<'/api/v1/gateways'>[number];
export type NewGateway = Answer<'/api/v1/gateways', 'post'>;
export type BindingBody = Body<'/api/v1/bindings'>;
export type AuditRow = Answer<'/api/v1/audit'>[number];
export type NetworkReport = Answer<'/api/v1/reports/network'>;
export type FleetGateway = Answer<'/api/v1/fleet'>[number];
export type OrgGatewaySettings = Answer<'/api/v1/organisations/{orgId}/gateway-settings'>;
export type GatewaySettingsBody = Body<'/api/v1/gateways/{id}/settings', 'put'>;

export const PROFESSIONS: InviteBody['profession'][] = [
  'physician',
  'nurse',
  'pharmacist',
  'care_manager',
  'therapist',
  'dietitian',
  'dentist',
  'dental_hygienist',
  'care_worker',
  'social_worker',
  'clerk',
  'other',
];

export const adminApi = {
  users: (orgId: string, signal?: AbortSignal) =>
    request<OrgUser[]>('GET', `/api/v1/organisations/${seg(orgId)}/users`, undefined, signal),
  invite: (orgId: string, body: InviteBody) =>
    request<Invitation>('POST', `/api/v1/organisations/${seg(orgId)}/users`, body),
  disable: (orgId: string, userId: string) =>
    request<unknown>('POST', `/api/v1/organisations/${seg(orgId)}/users/${seg(userId)}/disable`),
  people: (signal?: AbortSignal) => request<Person[]>('GET', '/api/v1/people', undefined, signal),
  patients: (signal?: AbortSignal) => request<PatientSummary[]>('GET', '/api/v1/patients', undefined, signal),
  registerPatient: (body: Body<'/api/v1/patients'>) => request<PatientSummary>('POST', '/api/v1/patients', body),
  team: (patientId: string, signal?: AbortSignal) =>
    request<TeamMember[]>('GET', `/api/v1/patients/${seg(patientId)}/team`, undefined, signal),
  addToTeam: (patientId: string, body: TeamBody) =>
    request<unknown>('POST', `/api/v1/patients/${seg(patientId)}/team`, body),
  removeFromTeam: (patientId: string, userId: string) =>
    request<unknown>('DELETE', `/api/v1/patients/${seg(patientId)}/team/${seg(userId)}`),
  gateways: (signal?: AbortSignal) => request<Gateway[]>('GET', '/api/v1/gateways', undefined, signal),
  registerGateway: (body: Body<'/api/v1/gateways'>) => request<NewGateway>('POST', '/api/v1/gateways', body),
  rotateGateway: (id: string) =>
    request<Answer<'/api/v1/gateways/{id}/rotate', 'post'>>('POST', `/api/v1/gateways/${seg(id)}/rotate`),
  revokeGateway: (id: string) => request<unknown>('POST', `/api/v1/gateways/${seg(id)}/revoke`),
  fleet: (signal?: AbortSignal) => request<FleetGateway[]>('GET', '/api/v1/fleet', undefined, signal),
  orgGatewaySettings: (orgId: string, signal?: AbortSignal) =>
    request<OrgGatewaySettings>('GET', `/api/v1/organisations/${seg(orgId)}/gateway-settings`, undefined, signal),
  setOrgGatewaySettings: (orgId: string, body: GatewaySettingsBody) =>
    request<OrgGatewaySettings>('PUT', `/api/v1/organisations/${seg(orgId)}/gateway-settings`, body),
  setGatewaySettings: (id: string, body: GatewaySettingsBody) =>
    request<Answer<'/api/v1/gateways/{id}/settings', 'put'>>('PUT', `/api/v1/gateways/${seg(id)}/settings`, body),
  bind: (body: BindingBody) => request<unknown>('POST', '/api/v1/bindings', body),
  audit: (q: { patientId?: string; limit?: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({ limit: String(q.limit ?? 100) });
    if (q.patientId) params.set('patientId', q.patientId);
    return request<AuditRow[]>('GET', `/api/v1/audit?${params}`, undefined, signal);
  },
  network: (signal?: AbortSignal) => request<NetworkReport>('GET', '/api/v1/reports/network', undefined, signal),
};
