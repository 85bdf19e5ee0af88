/**
 * The one-time acknowledgement link of a notification (notify/ack-link.ts signs it): GET shows
 * a confirmation page (mail scanners follow GET links, so GET never acknowledges); POST
 * acknowledges, once, as the person the link was sent to, without a login. People in a
 * browser get HTML pages, also for errors (the documented exception to the one error mapping,
 * api/errors-plugin.ts); a caller that sends JSON gets JSON.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { alertJson } from '../../alerts/json.ts';
import { acknowledge } from '../../alerts/lifecycle.ts';
import { errorBody } from '../../errors.ts';
import { verifyAckToken } from '../../notify/ack-link.ts';
import { maySeePatient } from '../../notify/patient-access.ts';
import { useAckNonce } from '../../storage/repos/ack-links.ts';
import { findAlert } from '../../storage/repos/alerts.ts';
import * as schema from './schemas.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title><h1>${esc(title)}</h1>${body}`,
    );
}

/** The token of the query, else of the body (a form or JSON); '' when there is none. */
function tokenOf(query: { token?: string }, body: unknown): string {
  if (query.token !== undefined) return query.token;
  if (body && typeof body === 'object' && 'token' in body && typeof body.token === 'string') return body.token;
  return '';
}

export const ackLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  // The page's form posts url-encoded; encapsulated, so only these routes accept that.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  app.get('/api/v1/alerts/ack-link', { schema: schema.ackLinkPage, config: { access: 'none' } }, async (req, reply) => {
    const token = tokenOf(req.query, undefined);
    const svc = app.alerts;
    const check = verifyAckToken(await svc.ctx.linkSecret(), token, svc.clock.now().getTime());
    if (!check.ok)
      return page(
        reply,
        check.reason === 'expired' ? 410 : 400,
        'Link not valid / リンクが無効です',
        '<p>This link is not valid or has expired. Open the alert in vitals instead.</p>',
      );
    const a = await findAlert(sql, check.claim.alertId);
    // A link works only while its recipient may see the patient (issue 11, item 7).
    if (!a || !(await maySeePatient(sql, check.claim.userId, a.patient_id)))
      return page(reply, 404, 'Alert not found / アラートが見つかりません', '');
    return page(
      reply,
      200,
      'Acknowledge alert / アラートを確認',
      `<p>${esc(a.rule)} (${esc(a.priority)})</p><form method="post" action="/api/v1/alerts/ack-link?token=${esc(encodeURIComponent(token))}"><button>Acknowledge / 確認する</button></form>`,
    );
  });

  app.post(
    '/api/v1/alerts/ack-link',
    { schema: schema.ackLinkConfirm, config: { access: 'none' } },
    async (req, reply) => {
      const svc = app.alerts;
      const html = !(req.headers['content-type'] ?? '').includes('json');
      const fail = (status: number, code: 'bad_request' | 'conflict' | 'not_found', message: string) =>
        html ? page(reply, status, message, '') : reply.code(status).send(errorBody(code, message));
      const check = verifyAckToken(await svc.ctx.linkSecret(), tokenOf(req.query, req.body), svc.clock.now().getTime());
      if (!check.ok)
        return fail(
          check.reason === 'expired' ? 410 : 400,
          'bad_request',
          check.reason === 'expired' ? 'this link has expired; open the alert in vitals' : 'this link is not valid',
        );
      const { alertId, userId, nonce } = check.claim;
      const outcome = await sql.transaction(async (tx) => {
        const a = await findAlert(tx, alertId);
        if (!a || !(await maySeePatient(tx, userId, a.patient_id))) return 'not_visible' as const;
        if (!(await useAckNonce(tx, nonce, alertId, userId, svc.clock.now(), req.ip))) return 'used' as const;
        return acknowledge(tx, svc.ctx, alertId, userId, 'acknowledged through the link in a notification', req.ip);
      });
      if (outcome === 'not_visible') return fail(404, 'not_found', 'alert not found');
      if (outcome === 'used') return fail(409, 'conflict', 'this link was already used; it works only once');
      if (!outcome.ok)
        return fail(
          outcome.reason === 'resolved' ? 409 : 404,
          outcome.reason === 'resolved' ? 'conflict' : 'not_found',
          outcome.reason === 'resolved' ? 'this alert is already resolved' : 'alert not found',
        );
      void svc.deliver();
      return html ? page(reply, 200, 'Acknowledged / 確認しました', '') : alertJson(outcome.alert);
    },
  );
};
