/** Schema of the live stream (server-sent events). */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const Events = Type.String({
  description:
    'text/event-stream: `hello` once, then `reading` ({"patientId","metric","t","v","unit"}) and `alert` ' +
    '({"alertId","patientId","rule","priority","state","transition","at"}), `timeline` ' +
    '({"itemId","patientId","kind","sensitivity","time","change"}: read the item with GET /api/v1/timeline/{itemId}) and ' +
    '`timeline-read` ({"itemId","patientId","sensitivity","userId","at"}) for the patients the caller may see (timeline ' +
    "events only where the caller's clearance reaches the item), " +
    '`ping` every 15 s; the stream ends when the session ends',
});

export const stream = {
  summary: 'Live readings and alert changes of the patients the caller may see',
  tags: ['stream'],
  response: { 200: { content: { 'text/event-stream': { schema: Events } } }, ...ERROR_RESPONSES },
};
