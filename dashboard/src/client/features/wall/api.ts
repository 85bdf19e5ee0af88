/** The ward board's data: every visible patient with their latest values. */
import { type Answer, request } from '../../api.ts';

export type WallPatient = Answer<'/api/v1/wall'>['patients'][number];
export type LatestValue = WallPatient['metrics'][string];

export const wallApi = {
  wall: (signal?: AbortSignal) => request<Answer<'/api/v1/wall'>>('GET', '/api/v1/wall', undefined, signal),
};
