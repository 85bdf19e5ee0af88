/** What the notification modules share at run time: the alert context, and a way to ask for delivery. */
import type { AlertContext } from '../alerts/context.ts';

export interface NotifyContext extends AlertContext {
  /** Asks the delivery worker to run soon (something was queued inside a transaction). */
  kick(): void;
}
