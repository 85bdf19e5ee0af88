/**
 * The contract's topic ACL, as pure rules: a gateway publishes only `readings`, `status`
 * and `events` under its own id, and subscribes only to its own `config` and `ack`.
 */
import { GATEWAY_PUBLISHES, GATEWAY_SUBSCRIBES, parseTopic } from '@vitals/contract';

export function mayPublish(gatewayId: string, topic: string, retain: boolean): string | null {
  const t = parseTopic(topic);
  if (!t || t.gatewayId !== gatewayId || !GATEWAY_PUBLISHES.includes(t.suffix))
    return `gateway ${gatewayId} may not publish to ${topic}`;
  if (retain && t.suffix !== 'status') return `only status may be retained, not ${t.suffix}`;
  return null;
}

export function maySubscribe(gatewayId: string, topic: string): string | null {
  const t = parseTopic(topic);
  if (!t || t.gatewayId !== gatewayId || !GATEWAY_SUBSCRIBES.includes(t.suffix))
    return `gateway ${gatewayId} may not subscribe to ${topic}`;
  return null;
}
