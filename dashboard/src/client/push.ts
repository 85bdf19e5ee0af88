/**
 * Web Push on clinicians' phones: the dashboard registers the service worker (`/sw.js`),
 * subscribes with the server's VAPID key and hands the subscription to the server as the
 * user's `webpush` contact, which escalation policies then page. Opt-in by a button press, as
 * browsers require.
 */
import { sessionApi as api } from './api.ts';

export type PushState = 'unsupported' | 'unavailable' | 'denied' | 'off' | 'on';

/** VAPID keys travel base64url-encoded; PushManager wants the raw bytes. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const raw = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function supported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** What the button should offer now. */
export async function pushState(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const key = await api.vapidKey().catch(() => null);
  if (!key) return 'unavailable';
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = await reg?.pushManager.getSubscription();
  return sub ? 'on' : 'off';
}

/** Asks for permission, subscribes and registers the subscription with the server. */
export async function enablePush(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  const key = await api.vapidKey().catch(() => null);
  if (!key) return 'unavailable';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  await navigator.serviceWorker.ready;
  const sub =
    (await reg.pushManager.getSubscription()) ??
    (await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) }));
  const json = sub.toJSON() as { endpoint: string; keys: { p256dh: string; auth: string } };
  await api.addPushContact({ endpoint: json.endpoint, keys: json.keys }, navigator.userAgent.slice(0, 200));
  return 'on';
}
