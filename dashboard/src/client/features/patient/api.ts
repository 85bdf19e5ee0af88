/** The patient record's calls: the patient, latest values and readings for the charts. */
import type { Metric } from '@vitals/contract';
import { type Answer, request, seg } from '../../api.ts';
import type { ReadingsResponse } from '../../columnar.ts';

export type Patient = Answer<'/api/v1/patients/{id}'>;
export type Latest = Answer<'/api/v1/patients/{id}/latest'>;

export const patientApi = {
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
