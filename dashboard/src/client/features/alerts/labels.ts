/** How alert rules and states read on screen. */
import { CATALOGUE, type MessageKey, t } from '../../i18n.ts';

export function ruleLabel(rule: string): string {
  const key = `rule.${rule}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : rule;
}

export function eventLabel(type: string): string {
  const key = `alerts.event.${type}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : type;
}
