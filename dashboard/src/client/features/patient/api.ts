/** The patient record's calls: the patient, latest values and readings for the charts. */
import type { Metric } from '@vitals/contract';
import { type Answer, type Body, request, seg } from '../../api.ts';
import type { ReadingsResponse } from '../../columnar.ts';

export type Patient = Answer<'/api/v1/patients/{id}'>;
export type Latest = Answer<'/api/v1/patients/{id}/latest'>;

export type AlertRules = Answer<'/api/v1/patients/{id}/alert-rules'>;
export type News2 = Answer<'/api/v1/patients/{id}/news2'>;
export type TeamMember = Answer<'/api/v1/patients/{id}/team'>[number];
export type Absence = Answer<'/api/v1/patients/{id}/absences'>[number];
export type NewObservation = Body<'/api/v1/patients/{id}/observations'>;
export type PatientDevice = Answer<'/api/v1/patients/{id}/devices'>['devices'][number];

export const patientApi = {
  alertRules: (id: string, signal?: AbortSignal) =>
    request<AlertRules>('GET', `/api/v1/patients/${seg(id)}/alert-rules`, undefined, signal),
  news2: (id: string, signal?: AbortSignal) =>
    request<News2>('GET', `/api/v1/patients/${seg(id)}/news2`, undefined, signal),
  team: (id: string, signal?: AbortSignal) =>
    request<TeamMember[]>('GET', `/api/v1/patients/${seg(id)}/team`, undefined, signal),
  devices: (id: string, signal?: AbortSignal) =>
    request<Answer<'/api/v1/patients/{id}/devices'>>('GET', `/api/v1/patients/${seg(id)}/devices`, undefined, signal),
  absences: (id: string, signal?: AbortSignal) =>
    request<Absence[]>('GET', `/api/v1/patients/${seg(id)}/absences`, undefined, signal),
  observe: (id: string, body: NewObservation) =>
    request<unknown>('POST', `/api/v1/patients/${seg(id)}/observations`, body),
  patient: (id: string, signal?: AbortSignal) =>
    request<Patient>('GET', `/api/v1/patients/${seg(id)}`, undefined, signal),
  latest: (id: string, signal?: AbortSignal) =>
    request<Latest>('GET', `/api/v1/patients/${seg(id)}/latest`, undefined, signal),
  readings: (id: string, q: { metric: Metric; from: Date; to: Date; maxPoints: number }, signal?: AbortSignal) => {
    const params = new URLSearchParams({
      metric: q.metric,
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      maxPoints: String(Math.max(1, Math.round(q.maxPoints))),
    });
    return request<ReadingsResponse>('GET', `/api/v1/patients/${seg(id)}/readings?${params}`, undefined, signal);
  },
};
