/**
 * GET /api/v1/reports/network (issue 13; schemas in ./schemas.ts): the evaluation indicators
 * regional care networks propose, for each organisation the caller administers and for its
 * region. Counts only, no names. More members or more posts is not success, and the answer says so.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { badRequest } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { type NetworkNumbers, networkNumbers, regionOf } from '../../storage/repos/network-report.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import * as schema from './schemas.ts';

const WEEK_MS = 7 * 86_400_000;

export const NOTICE = {
  en:
    'More users or more posts is not success. These numbers describe how the network works (who is on the teams, ' +
    'how alerts are answered, how many pages each person carries); judge them against the patients’ care, and ' +
    'read a rising alarm load per person as a warning of fatigue.',
  ja:
    '利用者数や投稿数が多いことは成功を意味しません。これらの数値はネットワークの働き方（チームの構成、アラートへの対応、' +
    '一人あたりの呼び出し数）を示すものです。患者のケアに照らして判断し、一人あたりのアラーム負荷の増加は疲弊の兆候として読んでください。',
};

const round = (x: number) => Math.round(x * 1000) / 1000;

function indicators(n: NetworkNumbers, weeks: number): Static<typeof schema.Indicators> {
  const physicians = n.membersByProfession.physician ?? 0;
  const total = Object.values(n.membersByProfession).reduce((a, b) => a + b, 0);
  const sizes = n.teamSizes;
  const pages = n.pagesPerPerson.reduce((a, b) => a + b, 0);
  const patientWeeks = n.patients * weeks;
  return {
    members: {
      total,
      byProfession: n.membersByProfession,
      perPhysician: physicians
        ? Object.fromEntries(Object.entries(n.membersByProfession).map(([p, c]) => [p, round(c / physicians)]))
        : {},
    },
    patients: n.patients,
    teamSize: sizes.length
      ? {
          mean: round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
          median:
            sizes.length % 2
              ? sizes[(sizes.length - 1) / 2]!
              : round((sizes[sizes.length / 2 - 1]! + sizes[sizes.length / 2]!) / 2),
          min: sizes[0]!,
          max: sizes.at(-1)!,
        }
      : { mean: null, median: null, min: null, max: null },
    posts: {
      available: true,
      count: n.posts,
      perPatientWeek: patientWeeks ? round(n.posts / patientWeeks) : null,
      note: 'posts of the care teams on the timeline (withdrawn ones left out); system items are not posts',
    },
    acknowledgements: {
      count: n.acknowledgements,
      perPatientWeek: patientWeeks ? round(n.acknowledgements / patientWeeks) : null,
    },
    alarmLoad: {
      people: n.pagesPerPerson.length,
      pages,
      perPersonWeek: n.pagesPerPerson.length ? round(pages / n.pagesPerPerson.length / weeks) : null,
      maxPerPersonWeek: n.pagesPerPerson.length ? round(n.pagesPerPerson.at(-1)! / weeks) : null,
    },
  };
}

export const networkReportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/reports/network',
    { schema: schema.report, config: { access: { organisationAdmin: 'any' } } },
    async (req) => {
      const u = requireAdmin(req);
      const to = req.query.to ? new Date(req.query.to) : app.alerts.clock.now();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 4 * WEEK_MS);
      if (from >= to) throw badRequest('from must be before to');
      if (from.getTime() < 0) throw badRequest('the report starts in 1970 at the earliest; send a later from or to');
      const weeks = (to.getTime() - from.getTime()) / WEEK_MS;
      const orgs = administeredOrganisations(u);
      const region = await regionOf(sql, orgs);
      const organisations = [];
      for (const o of region.filter((r) => orgs.includes(r.id)))
        organisations.push({
          organisationId: o.id,
          name: o.name,
          indicators: indicators(await networkNumbers(sql, [o.id], from, to), weeks),
        });
      for (const org of orgs)
        await audit(sql, { userId: u.id, organisationId: org, action: 'report.network', ip: req.ip });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        weeks: round(weeks),
        notice: NOTICE,
        organisations,
        region: {
          organisations: region.map((r) => ({ organisationId: r.id, name: r.name })),
          indicators: indicators(
            await networkNumbers(
              sql,
              region.map((r) => r.id),
              from,
              to,
            ),
            weeks,
          ),
        },
      };
    },
  );
};
