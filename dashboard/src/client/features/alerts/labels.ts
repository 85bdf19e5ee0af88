/** How alert rules and the events of an alert read on screen. */
import { ruleName } from '@vitals/contract';
import { CATALOGUE, type MessageKey, t, uiLocale } from '../../i18n.ts';

/** The rule's name from the contract's table, the one the server's notifications use too. */
export function ruleLabel(rule: string): string {
  return ruleName(rule, uiLocale.value);
}

export function eventLabel(type: string): string {
  const key = `alerts.event.${type}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : type;
}
