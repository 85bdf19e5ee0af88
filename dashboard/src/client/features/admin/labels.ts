/** Professions as the screens name them. */
import { CATALOGUE, type MessageKey, t } from '../../i18n.ts';

export function professionLabel(profession: string): string {
  const key = `profession.${profession}`;
  return Object.hasOwn(CATALOGUE.en, key) ? t(key as MessageKey) : profession;
}
