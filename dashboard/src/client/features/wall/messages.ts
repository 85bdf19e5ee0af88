/** Messages of the ward board. */
export const en = {
  'ward.state.high': 'URGENT',
  'ward.state.medium': 'Attention',
  'ward.state.technical': 'Equipment',
  'ward.state.low': 'Note',
  'ward.state.acknowledged': 'Being handled',
  'ward.state.stale': 'No recent values',
  'ward.state.stable': 'Stable',
  'ward.alertAge': 'for {age}',
  'ward.ackBy': 'acknowledged by {name} {ago}',
  'ward.ackBySomeone': 'acknowledged {ago}',
  'ward.offline':
    'The connection to the server is lost since {time}. The values below may be out of date; the screen keeps trying to reconnect.',
  'ward.observation': 'recorded by the care team',
  'ward.summary': '{high} urgent, {medium} attention, {technical} equipment',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'ward.state.high': '至急',
  'ward.state.medium': '注意',
  'ward.state.technical': '機器',
  'ward.state.low': '参考',
  'ward.state.acknowledged': '対応中',
  'ward.state.stale': '最近の測定なし',
  'ward.state.stable': '安定',
  'ward.alertAge': '{age}継続',
  'ward.ackBy': '{name} さんが確認（{ago}）',
  'ward.ackBySomeone': '確認済み（{ago}）',
  'ward.offline':
    '{time} からサーバーとの接続が切れています。以下の値は古い可能性があります。自動的に再接続を試みています。',
  'ward.observation': 'ケアチームの記録',
  'ward.summary': '至急 {high}・注意 {medium}・機器 {technical}',
};
