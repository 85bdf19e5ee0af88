/** Schemas of Web Push: the server's VAPID public key, which a browser needs to subscribe. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

export const VapidPublicKey = Type.Object(
  { publicKey: Type.String({ description: 'base64url; the applicationServerKey of PushManager.subscribe()' }) },
  { additionalProperties: false },
);

export const vapidPublicKey = {
  summary: "The server's VAPID public key; 404 when Web Push is not configured",
  tags: ['push'],
  response: { 200: VapidPublicKey, ...ERROR_RESPONSES },
};
