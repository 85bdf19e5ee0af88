/** Professions and gateway liveness as the screens name them (the contract's words). */
import { CATALOGUE, type MessageKey, t } from '../../i18n.ts';

export function professionLabel(profession: string): string {
  const key = `profession.${profession}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : profession;
}

/** A gateway's liveness (`online`, `offline`, `unknown`) in the contract's words; another state as it is. */
export function livenessLabel(status: string): string {
  const key = `liveness.${status}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : status;
}
