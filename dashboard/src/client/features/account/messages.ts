/** Messages of the account screens (sign-in's own are in the core catalogue, i18n.ts). */
export const en = {
  'account.heading': 'My account',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'account.heading': 'アカウント',
};
