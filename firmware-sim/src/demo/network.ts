/**
 * The demo's care network (issue 16): the clinic the server creates, plus a visiting-nurse
 * station, a pharmacy and a care-management office; a nurse, a pharmacist and a care manager
 * invited into them and put on every patient's care team (clearance by profession); posts from
 * each profession with tags and templates (a care manager does not see the clinical ones); a nurse's
 * observation that opens an alert, and the doctor's acknowledgement of an earlier one; a wall display
 * for the nurse station showing initials. Everything goes through the public API, as a real network
 * would be set up, and is done once (the state file remembers it).
 */
import { randomBytes } from 'node:crypto';

export type Api = <T>(method: string, path: string, body?: unknown, token?: string) => Promise<T>;

export interface Login {
  role: string;
  email: string;
  password: string;
}

export interface NetworkState {
  logins: Login[];
  kioskPath?: string;
}

interface Person {
  key: 'nurse' | 'pharmacist' | 'care_manager';
  organisation: { name: string; kind: string };
  email: string;
  displayName: string;
  role: string;
}

const PEOPLE: Person[] = [
  {
    key: 'nurse',
    organisation: { name: 'みなと訪問看護ステーション', kind: 'nursing_station' },
    email: 'nurse@demo.vitals.jp',
    displayName: '佐々木 美咲 (看護師)',
    role: 'visiting nurse 訪問看護師',
  },
  {
    key: 'pharmacist',
    organisation: { name: 'みなと調剤薬局', kind: 'pharmacy' },
    email: 'pharmacist@demo.vitals.jp',
    displayName: '高橋 健 (薬剤師)',
    role: 'pharmacist 薬剤師',
  },
  {
    key: 'care_manager',
    organisation: { name: 'みなと居宅介護支援事業所', kind: 'care_management' },
    email: 'caremanager@demo.vitals.jp',
    displayName: '伊藤 由美 (ケアマネジャー)',
    role: 'care manager ケアマネジャー',
  },
];

/** A password the policy accepts (12+ characters, not a common one). */
const newPassword = () => `demo-${randomBytes(9).toString('base64url')}`;

/**
 * Sets up the network around the seeded patients (`patients`: home key → patient id) and returns
 * the logins to print. `adminToken` is the clinic's doctor, who registered every patient.
 */
export async function seedNetwork(
  api: Api,
  adminToken: string,
  patients: Record<string, string>,
  say: (line: string) => void,
): Promise<NetworkState> {
  say('  seeding the care network: nurse station, pharmacy, care-management office and their people');
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const logins: Login[] = [];
  for (const p of PEOPLE) {
    const org = await api<{ id: string }>('POST', '/api/v1/organisations', p.organisation, adminToken);
    const invited = await api<{ id: string; invitation: { token: string } }>(
      'POST',
      `/api/v1/organisations/${org.id}/users`,
      { email: p.email, displayName: p.displayName, profession: p.key },
      adminToken,
    );
    const password = newPassword();
    const session = await api<{ token: string }>('POST', '/api/v1/auth/invitations/accept', {
      token: invited.invitation.token,
      password,
    });
    tokens[p.key] = session.token;
    ids[p.key] = invited.id;
    logins.push({ role: p.role, email: p.email, password });
  }
  for (const patientId of Object.values(patients))
    for (const p of PEOPLE) await api('POST', `/api/v1/patients/${patientId}/team`, { userId: ids[p.key] }, adminToken);

  say('  seeding the timeline: posts from the doctor, the nurse, the pharmacist and the care manager');
  const post = (patientId: string, token: string, body: Record<string, unknown>) =>
    api('POST', `/api/v1/patients/${patientId}/posts`, body, token);
  for (const [home, patientId] of Object.entries(patients)) {
    await post(patientId, tokens.care_manager!, {
      body: '来週の火曜日からデイサービス（週2回）を開始します。送迎は9時頃です。',
      template: 'care_plan',
      fields: { goals: '自宅での生活を続ける', services: 'デイサービス 週2回、訪問介護 週3回', starts: '来週火曜日' },
      tags: ['meal'],
    });
    await post(patientId, tokens.nurse!, {
      body: '訪問しました。全身状態は安定しています。',
      template: 'visit_result',
      fields: {
        condition: '安定。食欲あり。',
        care: '服薬確認、下肢のむくみの観察',
        findings: home === 'watanabe' ? '労作時の息切れが増えています' : '特になし',
        next_visit: '3日後',
      },
      tags: ['vitals'],
    });
    await post(patientId, tokens.pharmacist!, {
      body: 'お薬カレンダーで管理できています。',
      template: 'medication_status',
      fields: { adherence: '良好', missed_doses: 1, side_effects: 'なし', remaining: '7日分' },
      tags: ['medication'],
    });
  }
  const watanabe = patients.watanabe;
  if (watanabe) {
    await post(watanabe, adminToken, {
      body: '酸素流量を安静時 1 L/分、労作時 2 L/分とします。SpO2 88% 未満が続く時は連絡してください。',
      sensitivity: 'restricted',
      tags: ['acp'],
    });
    // The nurse's visit: what she measured opens an alert the team sees on the board and the timeline.
    await api(
      'POST',
      `/api/v1/patients/${watanabe}/observations`,
      {
        readings: [
          { metric: 'respiratory_rate', value: 24 },
          { metric: 'spo2', value: 87 },
          { metric: 'inhaled_oxygen_flow', value: 2 },
          { metric: 'consciousness', code: 'A' },
          { metric: 'body_temperature', value: 37.6 },
        ],
      },
      tokens.nurse,
    );
  }
  const ito = patients.ito;
  if (ito) {
    // A high blood pressure the doctor has looked at: acknowledged with a comment.
    await api(
      'POST',
      `/api/v1/patients/${ito}/observations`,
      { time: new Date(Date.now() - 3 * 3_600_000).toISOString(), readings: [{ metric: 'bp_systolic', value: 184 }] },
      tokens.nurse,
    );
    // The rules judge an observation right after it is stored: wait for the alert (a few seconds at most).
    let alerts: { id: string; rule: string }[] = [];
    for (let i = 0; i < 50 && alerts.length === 0; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200));
      alerts = (
        await api<{ id: string; rule: string }[]>(
          'GET',
          `/api/v1/alerts?patientId=${ito}&state=firing`,
          undefined,
          adminToken,
        )
      ).filter((x) => x.rule === 'systolic_high');
    }
    for (const a of alerts)
      await api(
        'POST',
        `/api/v1/alerts/${a.id}/ack`,
        { note: '電話で確認。頭痛なし。降圧薬を明朝から増量。' },
        adminToken,
      );
  }

  say('  a wall display for the nurse station (initials only)');
  const me = await api<{ organisations: { organisationId: string; name: string }[] }>(
    'GET',
    '/api/v1/me',
    undefined,
    adminToken,
  );
  const station = me.organisations.find((o) => o.name === PEOPLE[0]!.organisation.name);
  let kioskPath: string | undefined;
  if (station) {
    const display = await api<{ id: string; kioskPath: string }>(
      'POST',
      `/api/v1/organisations/${station.organisationId}/displays`,
      { displayName: 'ステーション壁面モニター', initialsOnly: true },
      adminToken,
    );
    for (const patientId of Object.values(patients))
      await api('POST', `/api/v1/patients/${patientId}/team`, { userId: display.id }, adminToken);
    kioskPath = display.kioskPath;
  }
  return { logins, ...(kioskPath ? { kioskPath } : {}) };
}
