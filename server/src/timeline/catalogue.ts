/**
 * The built-in tags and templates of posts (issue 15), with Japanese and English labels. An
 * organisation adds its own (storage/repos/timeline-catalogue.ts); a built-in key wins.
 */
import type { TagDefinition, TemplateDefinition, TemplateField } from '../storage/repos/timeline-catalogue.ts';

export type { TagDefinition, TemplateDefinition, TemplateField };

export const BUILT_IN_TAGS: readonly TagDefinition[] = [
  { key: 'acp', ja: 'ACP（人生会議）', en: 'ACP (advance care planning)' },
  { key: 'pressure_ulcer', ja: '褥瘡', en: 'Pressure ulcer' },
  { key: 'fall', ja: '転倒', en: 'Fall' },
  { key: 'medication', ja: '服薬', en: 'Medication' },
  { key: 'meal', ja: '食事', en: 'Meal' },
  { key: 'excretion', ja: '排泄', en: 'Excretion' },
  { key: 'sleep', ja: '睡眠', en: 'Sleep' },
  { key: 'rehabilitation', ja: 'リハビリ', en: 'Rehabilitation' },
  { key: 'family', ja: '家族', en: 'Family' },
  { key: 'vitals', ja: 'バイタル', en: 'Vital signs' },
];

const text = (key: string, ja: string, en: string): TemplateField => ({ key, ja, en, type: 'text' });

export const BUILT_IN_TEMPLATES: readonly TemplateDefinition[] = [
  {
    key: 'visit_result',
    ja: '訪問看護の結果',
    en: 'Visiting nurse: result of the visit',
    fields: [
      text('condition', '全身状態', 'General condition'),
      text('care', '実施したケア', 'Care given'),
      text('findings', '気になること', 'Concerns'),
      text('next_visit', '次回訪問', 'Next visit'),
    ],
    sensitivity: 'clinical',
    snapshot: 'latest',
  },
  {
    key: 'discharge_conference',
    ja: '退院カンファのポイント',
    en: 'Points from the discharge conference',
    fields: [
      text('course', '入院中の経過', 'Course in hospital'),
      text('medications', '退院時処方', 'Medication at discharge'),
      text('care_points', 'ケアの要点', 'Points for care'),
      text('follow_up', 'フォローアップ', 'Follow-up'),
    ],
    sensitivity: 'clinical',
    snapshot: null,
  },
  {
    key: 'care_plan',
    ja: '新しいケアプラン',
    en: 'New care plan',
    fields: [
      text('goals', '目標', 'Goals'),
      text('services', 'サービス内容', 'Services'),
      text('starts', '開始日', 'Starts'),
    ],
    sensitivity: 'team',
    snapshot: null,
  },
  {
    key: 'medication_status',
    ja: '服薬状況',
    en: 'Medication status',
    fields: [
      text('adherence', '服薬状況', 'Adherence'),
      { key: 'missed_doses', ja: '飲み忘れ（回）', en: 'Missed doses', type: 'number' },
      text('side_effects', '副作用', 'Side effects'),
      text('remaining', '残薬', 'Remaining medication'),
    ],
    sensitivity: 'clinical',
    snapshot: 'day',
  },
];
