/** Messages of the administration screens. */
export const en = {
  'admin.heading': 'Administration',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'admin.heading': '管理',
};
