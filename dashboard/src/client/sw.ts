/**
 * The dashboard's service worker: shows an alert page pushed by the server (Web Push) as a
 * notification, and opens the acknowledgement link or the alert when it is tapped.
 * The payload is the server's page message (see server/src/notify/escalation.ts).
 */
interface PagePayload {
  idempotencyKey?: string;
  text?: { subject?: string; body?: string };
  alert?: { priority?: string };
  ackUrl?: string;
  alertUrl?: string;
}

interface NotificationEventLike {
  action: string;
  notification: { data?: { ackUrl?: string; alertUrl?: string }; close(): void };
  waitUntil(p: Promise<unknown>): void;
}

interface PushEventLike {
  data?: { json(): unknown } | null;
  waitUntil(p: Promise<unknown>): void;
}

const sw = self as unknown as {
  addEventListener(type: 'push', f: (e: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', f: (e: NotificationEventLike) => void): void;
  registration: { showNotification(title: string, options: Record<string, unknown>): Promise<void> };
  clients: { openWindow(url: string): Promise<unknown> };
};

sw.addEventListener('push', (event) => {
  let p: PagePayload = {};
  try {
    p = (event.data?.json() ?? {}) as PagePayload;
  } catch {
    p = {};
  }
  const title = p.text?.subject ?? 'Vitals alert / バイタル警報';
  event.waitUntil(
    sw.registration.showNotification(title, {
      body: p.text?.body ?? '',
      tag: p.idempotencyKey,
      // A high-priority alert stays on screen until the clinician acts on it.
      requireInteraction: p.alert?.priority === 'high',
      data: { ackUrl: p.ackUrl, alertUrl: p.alertUrl },
      actions: p.ackUrl ? [{ action: 'ack', title: '確認 / Acknowledge' }] : [],
    }),
  );
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const d = event.notification.data ?? {};
  const url = event.action === 'ack' ? d.ackUrl : (d.alertUrl ?? d.ackUrl);
  if (url) event.waitUntil(sw.clients.openWindow(url));
});
