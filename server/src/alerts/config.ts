/**
 * The settings alerting and notification read, as one type both folders import (notify
 * depends on alerts, never the reverse). Their table, defaults and checks: notify/settings.ts.
 */
export interface AlertConfig {
  alertWebhookUrl?: string;
  alertWebhookSecret?: string;
  publicUrl?: string;
  smtpUrl?: string;
  smtpFrom?: string;
  vapidPublicKey?: string;
  vapidPrivateKey?: string;
  vapidSubject?: string;
  alertTickMs?: string;
  alertClockFile?: string;
  gatewaySilenceSeconds?: string;
  allowLoopbackWebhooks?: boolean;
  pageLimit?: string;
  pageLimitWindowMinutes?: string;
  pageGroupSeconds?: string;
}
