/** On-call calls: rotas (who is on call when), a patient's escalation policy and measurement schedules. */
import { type Answer, type Body, request, seg } from '../../api.ts';

export type Rota = Answer<'/api/v1/rotas/{id}'>;
export type RotaBody = Body<'/api/v1/rotas'>;
export type OnCall = Answer<'/api/v1/rotas/{id}/on-call'>;
export type OverrideBody = Body<'/api/v1/rotas/{id}/overrides'>;
export type Policy = Answer<'/api/v1/patients/{id}/escalation-policy'>;
export type PolicyBody = Body<'/api/v1/patients/{id}/escalation-policy', 'put'>;
export type PolicyStep = PolicyBody['steps'][number];
export type PolicyTarget = PolicyStep['targets'][number];
export type Schedule = Answer<'/api/v1/patients/{id}/schedules'>[number];
export type NewSchedule = Body<'/api/v1/patients/{id}/schedules'>;

export const oncallApi = {
  rotas: (signal?: AbortSignal) => request<Rota[]>('GET', '/api/v1/rotas', undefined, signal),
  createRota: (body: RotaBody) => request<Rota>('POST', '/api/v1/rotas', body),
  updateRota: (id: string, body: RotaBody) => request<Rota>('PUT', `/api/v1/rotas/${seg(id)}`, body),
  onCall: (id: string, at?: Date, signal?: AbortSignal) =>
    request<OnCall>(
      'GET',
      `/api/v1/rotas/${seg(id)}/on-call${at ? `?at=${encodeURIComponent(at.toISOString())}` : ''}`,
      undefined,
      signal,
    ),
  addOverride: (id: string, body: OverrideBody) => request<Rota>('POST', `/api/v1/rotas/${seg(id)}/overrides`, body),
  /** The rotas the patient's policy may name: every organisation's on the care team, not only mine. */
  patientRotas: (patientId: string, signal?: AbortSignal) =>
    request<Rota[]>('GET', `/api/v1/patients/${seg(patientId)}/rotas`, undefined, signal),
  policy: (patientId: string, signal?: AbortSignal) =>
    request<Policy>('GET', `/api/v1/patients/${seg(patientId)}/escalation-policy`, undefined, signal),
  setPolicy: (patientId: string, body: PolicyBody) =>
    request<Policy>('PUT', `/api/v1/patients/${seg(patientId)}/escalation-policy`, body),
  schedules: (patientId: string, signal?: AbortSignal) =>
    request<Schedule[]>('GET', `/api/v1/patients/${seg(patientId)}/schedules`, undefined, signal),
  addSchedule: (patientId: string, body: NewSchedule) =>
    request<Schedule>('POST', `/api/v1/patients/${seg(patientId)}/schedules`, body),
  removeSchedule: (patientId: string, id: string) =>
    request<void>('DELETE', `/api/v1/patients/${seg(patientId)}/schedules/${seg(id)}`),
};
