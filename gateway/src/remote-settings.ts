/**
 * Remote settings (issue 18): the server's retained `config` may carry a `settings` extension
 * (`{"revision": N, "logLevel": "debug", ...}`, the table in @vitals/contract). Each setting is
 * resolved on its own:
 *
 *   pinned by the local file  -> the file's value (or the built-in default); the remote one is not used
 *   set by the server, valid  -> the server's value (remote wins over the file)
 *   set by the server, invalid -> the value in force before (else the file's, else the default),
 *                                 and the reason is kept in `ignored` and logged
 *   not set by the server     -> the file's value, else the built-in default
 *
 * A setting unknown to this gateway (a newer server) is ignored with a reason. The revision is
 * reported back in the status as applied even when some values were ignored: the fleet view then
 * shows the reasons.
 */
import {
  defaultGatewaySettings,
  GATEWAY_SETTING_NAMES,
  type GatewaySettingName,
  type GatewaySettingsReport,
  type GatewaySettingValues,
  gatewaySettingProblem,
} from '@vitals/contract';
import type { GatewayFileConfig } from './config.ts';

export type SettingValues = Required<GatewaySettingValues>;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The local file's value of a setting: its `settings` section, else the older key that holds it. */
export function localSetting(local: GatewayFileConfig, name: GatewaySettingName): string | number | undefined {
  const own = local.settings?.[name];
  if (own !== undefined) return own;
  if (name === 'logLevel') return local.logLevel;
  if (name === 'maxReadingsPerSecond') return local.server.maxReadingsPerSecond;
  return undefined;
}

export function resolveSettings(
  local: GatewayFileConfig,
  remote: unknown,
  previous?: SettingValues,
): GatewaySettingsReport & { applied: SettingValues } {
  const defaults = defaultGatewaySettings();
  const pinned = new Set(local.pinnedSettings ?? []);
  const ignored: Record<string, string> = {};
  let revision: number | null = null;
  let fromServer: Record<string, unknown> = {};
  if (remote !== undefined) {
    if (!isObj(remote)) ignored.settings = `settings must be an object, got ${JSON.stringify(remote)}`;
    else {
      const { revision: r, ...rest } = remote;
      if (typeof r === 'number' && Number.isSafeInteger(r) && r >= 0) revision = r;
      else ignored.revision = `revision must be a whole number, got ${JSON.stringify(r)}`;
      fromServer = rest;
    }
  }
  for (const key of Object.keys(fromServer))
    if (!(GATEWAY_SETTING_NAMES as string[]).includes(key))
      ignored[key] = `${key} is not a setting this gateway knows; update the gateway to use it`;
  const applied = {} as Record<GatewaySettingName, string | number>;
  for (const name of GATEWAY_SETTING_NAMES) {
    const fallback = localSetting(local, name) ?? defaults[name];
    if (pinned.has(name)) {
      applied[name] = fallback; // the report's `pinned` says why a remote value is not in force
      continue;
    }
    const value = fromServer[name];
    if (value === undefined) {
      applied[name] = fallback;
      continue;
    }
    const problem = gatewaySettingProblem(name, value);
    if (problem) {
      ignored[name] = `${problem}; keeping ${JSON.stringify(previous?.[name] ?? fallback)}`;
      applied[name] = previous?.[name] ?? fallback;
    } else applied[name] = value as string | number;
  }
  return {
    revision,
    applied: applied as SettingValues,
    ...(Object.keys(ignored).length ? { ignored } : {}),
    ...(pinned.size ? { pinned: [...pinned] } : {}),
  };
}
