/** Messages of the patient record (the chart messages are in the core catalogue, i18n.ts). */
export const en = {
  'record.alerts': 'Open alerts',
  'record.age': 'age {age}',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'record.alerts': '未解決の警報',
  'record.age': '{age}歳',
};
