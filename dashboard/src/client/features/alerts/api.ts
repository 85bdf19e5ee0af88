/** The alert calls: the list, one alert, its story and pages, acknowledging and silencing. */
import { type Answer, type Body, request, seg } from '../../api.ts';

export type Alert = Answer<'/api/v1/alerts'>[number];
export type AlertEvent = Answer<'/api/v1/alerts/{id}/events'>[number];
export type Delivery = Answer<'/api/v1/alerts/{id}/deliveries'>[number];
export type SilenceBody = Body<'/api/v1/patients/{id}/silences'>;

export const alertsApi = {
  list: (
    q: { state?: 'firing' | 'acknowledged' | 'resolved'; patientId?: string; limit?: number },
    signal?: AbortSignal,
  ) => {
    const params = new URLSearchParams();
    if (q.state) params.set('state', q.state);
    if (q.patientId) params.set('patientId', q.patientId);
    if (q.limit) params.set('limit', String(q.limit));
    return request<Alert[]>('GET', `/api/v1/alerts?${params}`, undefined, signal);
  },
  one: (id: string, signal?: AbortSignal) => request<Alert>('GET', `/api/v1/alerts/${seg(id)}`, undefined, signal),
  events: (id: string, signal?: AbortSignal) =>
    request<AlertEvent[]>('GET', `/api/v1/alerts/${seg(id)}/events`, undefined, signal),
  deliveries: (id: string, signal?: AbortSignal) =>
    request<Delivery[]>('GET', `/api/v1/alerts/${seg(id)}/deliveries`, undefined, signal),
  ack: (id: string, note: string) =>
    request<Alert>('POST', `/api/v1/alerts/${seg(id)}/ack`, note.trim() ? { note: note.trim() } : null),
  silence: (patientId: string, body: SilenceBody) =>
    request<unknown>('POST', `/api/v1/patients/${seg(patientId)}/silences`, body),
};

/** The alerts still open (firing or acknowledged), of every visible patient. */
export async function openAlerts(signal?: AbortSignal): Promise<Alert[]> {
  const [firing, acked] = await Promise.all([
    alertsApi.list({ state: 'firing', limit: 1000 }, signal),
    alertsApi.list({ state: 'acknowledged', limit: 1000 }, signal),
  ]);
  return [...firing, ...acked];
}
