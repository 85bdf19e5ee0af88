import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

export const metrics = {
  summary: 'Prometheus metrics of this instance (text exposition format)',
  description:
    'Served to loopback addresses, or to anyone presenting VITALS_METRICS_TOKEN as a bearer token when it is set. Labels never name a patient, a person or a gateway.',
  tags: ['operations'],
  response: { 200: Type.String(), ...ERROR_RESPONSES },
};
