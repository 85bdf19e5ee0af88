/**
 * Remote settings of an organisation's gateways (issue 18): the organisation's default, each
 * gateway's own settings over it, and whether each gateway has applied what it must (its reported
 * revision) or it is still pending. The fleet list refreshes every few seconds while one is pending.
 * Bounds come from the contract's settings table, checked here (with a message in the user's
 * language) and again by the server.
 */
import {
  GATEWAY_LOG_LEVELS,
  GATEWAY_SETTING_NAMES,
  GATEWAY_SETTINGS,
  type GatewaySettingName,
  type GatewaySettingValues,
} from '@vitals/contract';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type MessageKey, t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi, type FleetGateway } from './api.ts';
import { livenessLabel } from './labels.ts';
import { TableHead } from './TableHead.tsx';

const labelOf = (name: GatewaySettingName) => t(`admin.setting.${name}` as MessageKey);

type Draft = Record<GatewaySettingName, string>;

const draftOf = (s: GatewaySettingValues): Draft =>
  Object.fromEntries(GATEWAY_SETTING_NAMES.map((n) => [n, s[n] === undefined ? '' : String(s[n])])) as Draft;

/** The settings a draft sets, or the localised problems of the fields that are out of bounds. */
function parseDraft(d: Draft): {
  settings: GatewaySettingValues;
  problems: Partial<Record<GatewaySettingName, string>>;
} {
  const settings: Record<string, string | number> = {};
  const problems: Partial<Record<GatewaySettingName, string>> = {};
  for (const name of GATEWAY_SETTING_NAMES) {
    const raw = d[name].trim();
    if (raw === '') continue;
    const s = GATEWAY_SETTINGS[name];
    if (s.kind === 'choice') {
      settings[name] = raw;
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < s.min || n > s.max)
      problems[name] = t('admin.settingOutOfRange', { label: labelOf(name), min: s.min, max: s.max });
    else settings[name] = n;
  }
  return { settings: settings as GatewaySettingValues, problems };
}

function SettingsForm(props: {
  id: string;
  heading: string;
  initial: GatewaySettingValues;
  /** What an empty field inherits, shown as its placeholder. */
  inherited: GatewaySettingValues;
  save(settings: GatewaySettingValues): Promise<string>;
  onClose?: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.initial));
  const [problems, setProblems] = useState<Partial<Record<GatewaySettingName, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setDraft(draftOf(props.initial));
    // A form opened for one gateway takes the focus, so keyboard users land in it.
    if (props.onClose) headingRef.current?.focus();
  }, [props.id]);
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const parsed = parseDraft(draft);
    setProblems(parsed.problems);
    if (Object.keys(parsed.problems).length) return;
    props.save(parsed.settings).then(setDone, (err: unknown) => setError(errorMessage(err)));
  };
  const field = (name: GatewaySettingName) => {
    const s = GATEWAY_SETTINGS[name];
    const id = `${props.id}-${name}`;
    const inherited = props.inherited[name];
    const hint = s.kind === 'integer' ? t('admin.settingRange', { min: s.min, max: s.max }) : undefined;
    const problem = problems[name];
    const set = (value: string) => setDraft({ ...draft, [name]: value });
    return (
      <div class="field" key={name}>
        <label for={id}>
          {labelOf(name)}
          {hint && <span class="hint"> ({hint})</span>}
        </label>
        {s.kind === 'choice' ? (
          <select id={id} name={name} value={draft[name]} onChange={(e) => set(e.currentTarget.value)}>
            <option value="">
              {inherited === undefined ? t('admin.inherit') : t('admin.inheritValue', { value: String(inherited) })}
            </option>
            {GATEWAY_LOG_LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            name={name}
            type="text"
            inputMode="numeric"
            value={draft[name]}
            placeholder={inherited === undefined ? t('admin.inherit') : String(inherited)}
            aria-invalid={problem ? 'true' : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onInput={(e) => set(e.currentTarget.value)}
          />
        )}
        {problem && (
          <p class="field-problem" id={`${id}-problem`}>
            {problem}
          </p>
        )}
      </div>
    );
  };
  return (
    <form class="admin-form settings-form" data-testid={props.id} onSubmit={submit} noValidate>
      <h3 ref={headingRef} tabIndex={-1}>
        {props.heading}
      </h3>
      {error && <AlertBox text={error} />}
      {Object.keys(problems).length > 0 && <AlertBox text={Object.values(problems).join(' ')} />}
      {done && (
        <p role="status" data-testid="settings-sent">
          {done}
        </p>
      )}
      {GATEWAY_SETTING_NAMES.map(field)}
      <button type="submit">{t('admin.save')}</button>
      {props.onClose && (
        <>
          {' '}
          <button type="button" onClick={props.onClose}>
            {t('admin.closeSettings')}
          </button>
        </>
      )}
    </form>
  );
}

function SettingsState({ g }: { g: FleetGateway }) {
  const s = g.settings;
  const names = (x: string[]) =>
    x.map((n) => ((GATEWAY_SETTING_NAMES as string[]).includes(n) ? labelOf(n as GatewaySettingName) : n)).join(', ');
  return (
    <span data-settings-state={s.state}>
      {s.state === 'none'
        ? t('admin.settingsNone')
        : s.state === 'applied'
          ? t('admin.settingsApplied', { revision: s.revision ?? 0 })
          : t('admin.settingsPending', { revision: s.revision ?? 0 })}
      {s.pinned?.length ? <small> {t('admin.settingsPinned', { names: names(s.pinned) })}</small> : null}
      {s.ignored ? <small> {t('admin.settingsIgnored', { names: names(Object.keys(s.ignored)) })}</small> : null}
    </span>
  );
}

export function FleetSettings({ orgId }: { orgId: string }) {
  const fleet = useLoad((signal) => adminApi.fleet(signal), []);
  const org = useLoad((signal) => adminApi.orgGatewaySettings(orgId, signal), [orgId]);
  const [editing, setEditing] = useState<string | null>(null);
  const gateways = (fleet.data ?? []).filter((g) => g.organisationId === orgId && !g.revoked);
  const pending = gateways.some((g) => g.settings.state === 'pending');
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(fleet.reload, 3000);
    return () => clearInterval(timer);
  }, [pending]);
  const editedGateway = gateways.find((g) => g.id === editing);
  return (
    <section aria-labelledby="fleet-settings-heading" data-testid="fleet-settings">
      <h2 id="fleet-settings-heading">{t('admin.remoteSettings')}</h2>
      <p>{t('admin.remoteSettingsIntro')}</p>
      {fleet.error && <AlertBox text={fleet.error} />}
      {org.error && <AlertBox text={org.error} />}
      {org.data && (
        <SettingsForm
          id="org-gateway-settings"
          heading={t('admin.orgDefault')}
          initial={org.data.settings}
          inherited={{}}
          save={(settings) =>
            adminApi.setOrgGatewaySettings(orgId, { settings }).then((r) => {
              org.reload();
              fleet.reload();
              return t('admin.settingsSent', { n: r.republished ?? 0 });
            })
          }
        />
      )}
      <table class="admin-table" data-testid="fleet-table">
        <TableHead
          columns={[t('admin.gatewayId'), t('admin.version'), t('admin.status'), t('admin.settingsState')]}
          actions
        />
        <tbody>
          {gateways.map((g) => (
            <tr key={g.id} data-gateway-id={g.id}>
              <td>
                <code>{g.id}</code>
                {g.label ? ` ${g.label}` : ''}
              </td>
              <td>
                {g.version ?? ''}
                {g.outdated && (
                  <strong class="badge" data-testid="outdated">
                    {' '}
                    {t('admin.outdated')}
                  </strong>
                )}
              </td>
              <td data-status={g.status}>{livenessLabel(g.status)}</td>
              <td>
                <SettingsState g={g} />
              </td>
              <td>
                <button
                  type="button"
                  aria-expanded={editing === g.id}
                  onClick={() => setEditing(editing === g.id ? null : g.id)}
                >
                  {t('admin.editSettings', { id: g.id })}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editedGateway && (
        <SettingsForm
          key={editedGateway.id}
          id="gateway-settings"
          heading={t('admin.gatewayOverrides', { id: editedGateway.id })}
          initial={editedGateway.settings.overrides}
          inherited={org.data?.settings ?? {}}
          save={(settings) =>
            adminApi.setGatewaySettings(editedGateway.id, { settings }).then(() => {
              fleet.reload();
              return t('admin.settingsSentOne', { id: editedGateway.id });
            })
          }
          onClose={() => setEditing(null)}
        />
      )}
    </section>
  );
}
