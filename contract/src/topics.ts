/** MQTT topic names of the wire contract: `vitals/v1/gw/{gatewayId}/{suffix}`. */
export const TOPIC_PREFIX = 'vitals/v1/gw/';
export const GATEWAY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,62}$/;

export const TOPIC_SUFFIXES = ['readings', 'status', 'events', 'config', 'ack'] as const;
export type TopicSuffix = (typeof TOPIC_SUFFIXES)[number];

/** Which side publishes on each topic; the broker enforces this for gateways. */
export const GATEWAY_PUBLISHES: readonly TopicSuffix[] = ['readings', 'status', 'events'];
export const GATEWAY_SUBSCRIBES: readonly TopicSuffix[] = ['config', 'ack'];

export function isGatewayId(id: unknown): id is string {
  return typeof id === 'string' && GATEWAY_ID_PATTERN.test(id);
}

export function topicFor(gatewayId: string, suffix: TopicSuffix): string {
  return `${TOPIC_PREFIX}${gatewayId}/${suffix}`;
}

/** Splits a contract topic into its gateway id and suffix, or null when it is not one. */
export function parseTopic(topic: string): { gatewayId: string; suffix: TopicSuffix } | null {
  if (!topic.startsWith(TOPIC_PREFIX)) return null;
  const rest = topic.slice(TOPIC_PREFIX.length).split('/');
  if (rest.length !== 2) return null;
  const [gatewayId, suffix] = rest as [string, string];
  if (!isGatewayId(gatewayId)) return null;
  if (!(TOPIC_SUFFIXES as readonly string[]).includes(suffix)) return null;
  return { gatewayId, suffix: suffix as TopicSuffix };
}

/** Wildcard subscription the server uses for one suffix of every gateway. */
export function allGateways(suffix: TopicSuffix): string {
  return `${TOPIC_PREFIX}+/${suffix}`;
}
