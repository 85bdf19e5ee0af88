/**
 * Alert priorities, lowest first: the API's `"priority":"high"|"medium"|"low"` (CONTRACT.md), the
 * rules' bands and the stored alerts all read this one list.
 */
export const PRIORITIES = ['low', 'medium', 'high'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_RANK: Record<Priority, number> = { low: 1, medium: 2, high: 3 };
