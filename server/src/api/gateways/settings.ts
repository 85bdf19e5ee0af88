/**
 * Remote gateway settings (issue 18; schemas in ./schemas.ts): an organisation's administrators
 * set a default for all of its gateways and overrides for one; each change is audited and the
 * affected gateways' retained `config` is published again with the `settings` extension (through
 * the broker this instance uses, so every gateway gets it whichever instance took the change).
 * Another organisation's gateway or organisation answers 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type GatewaySettingValues, isGatewayId, topicFor } from '@vitals/contract';
import { notFound } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  activeGatewayIdsOf,
  effectiveGatewaySettings,
  organisationGatewaySettings,
  setGatewaySettings,
  setOrganisationGatewaySettings,
} from '../../storage/repos/gateway-settings.ts';
import { findGatewayOf, gatewayConfigs } from '../../storage/repos/gateways.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import * as schema from './schemas.ts';

/** Publishing the configs of a large organisation: this many at once, built this many at a time. */
const PUBLISH_CONCURRENCY = 16;
const CONFIG_CHUNK = 1000;

/** Drops keys whose value is undefined, so the stored JSON holds only what was set. */
const onlySet = (s: GatewaySettingValues): GatewaySettingValues =>
  Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) as GatewaySettingValues;

export const gatewaySettingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  /** The organisation when the caller administers it; any other is not found. */
  const administered = (req: Parameters<typeof requireAdmin>[0], orgId: string) => {
    const u = requireAdmin(req);
    const org = isUuid(orgId) ? orgId.toLowerCase() : undefined;
    if (!org || !administeredOrganisations(u).includes(org)) throw notFound(`organisation ${orgId}`);
    return { u, org };
  };

  /**
   * Publishes the retained configs of these gateways again: built in bulk (two statements per
   * thousand gateways), published a few at a time. A failure is logged; the embedded broker sends
   * the config again at the gateway's next connection.
   */
  const republish = async (gatewayIds: string[]) => {
    for (let i = 0; i < gatewayIds.length; i += CONFIG_CHUNK) {
      const configs = [...(await gatewayConfigs(sql, gatewayIds.slice(i, i + CONFIG_CHUNK))).entries()];
      let next = 0;
      const worker = async () => {
        while (next < configs.length) {
          const [id, cfg] = configs[next++]!;
          await app.broker.publish(topicFor(id, 'config'), JSON.stringify(cfg), { retain: true }).catch((e) => {
            app.log.warn({ err: e, gatewayId: id }, 'config publish failed; the gateway gets it at its next connect');
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(PUBLISH_CONCURRENCY, configs.length) }, worker));
    }
  };

  app.get(
    '/api/v1/organisations/:orgId/gateway-settings',
    { schema: schema.organisationSettings, config: { access: 'none' } },
    async (req) => {
      const { org } = administered(req, req.params.orgId);
      const s = await organisationGatewaySettings(sql, org);
      return {
        organisationId: org,
        settings: s?.settings ?? {},
        ...(s ? { revision: s.revision, updatedAt: s.updatedAt.toISOString() } : {}),
      };
    },
  );

  app.put(
    '/api/v1/organisations/:orgId/gateway-settings',
    { schema: schema.setOrganisationSettings, config: { access: 'none' } },
    async (req) => {
      const { u, org } = administered(req, req.params.orgId);
      const settings = onlySet(req.body.settings);
      const s = await setOrganisationGatewaySettings(sql, org, settings, u.id);
      await audit(sql, {
        userId: u.id,
        organisationId: org,
        action: 'organisation.gateway_settings',
        target: org,
        detail: { settings, revision: s.revision },
        ip: req.ip,
      });
      const gateways = await activeGatewayIdsOf(sql, org);
      await republish(gateways);
      return {
        organisationId: org,
        settings: s.settings,
        revision: s.revision,
        updatedAt: s.updatedAt.toISOString(),
        republished: gateways.length,
      };
    },
  );

  app.put(
    '/api/v1/gateways/:id/settings',
    { schema: schema.setGatewaySettings, config: { access: 'none' } },
    async (req) => {
      const u = requireAdmin(req);
      const id = req.params.id;
      const g = isGatewayId(id) ? await findGatewayOf(sql, id, administeredOrganisations(u)) : undefined;
      if (!g) throw notFound(`gateway ${id}`);
      const overrides = onlySet(req.body.settings);
      const s = await setGatewaySettings(sql, id, overrides, u.id);
      await audit(sql, {
        userId: u.id,
        organisationId: g.organisation_id,
        action: 'gateway.settings',
        target: id,
        detail: { settings: overrides, revision: s.revision },
        ip: req.ip,
      });
      if (!g.revoked_at) await republish([id]);
      const effective = await effectiveGatewaySettings(sql, id);
      return { gatewayId: id, overrides: s.settings, effective: effective?.settings ?? {}, revision: s.revision };
    },
  );
};
