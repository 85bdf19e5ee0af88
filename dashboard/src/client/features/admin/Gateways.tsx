/**
 * Homes' gateways: register one (its credentials are shown once, with a printable set-up sheet and
 * a QR code of the gateway's configuration), rotate its password (shown once again), revoke it.
 */

import { useEffect, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi } from './api.ts';
import { FleetSettings } from './FleetSettings.tsx';
import { livenessLabel } from './labels.ts';
import { TableHead } from './TableHead.tsx';

interface Credentials {
  id: string;
  label?: string;
  username: string;
  password: string;
}

/** What the QR code carries: everything the gateway needs to reach this server. */
export function gatewayConfig(c: Credentials, server: string): string {
  return JSON.stringify({ server, gatewayId: c.id, mqtt: { username: c.username, password: c.password } });
}

function SetupSheet({ credentials: c }: { credentials: Credentials }) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    QRCode.toDataURL(gatewayConfig(c, window.location.origin), {
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 220,
    }).then(setQr, () => setQr(null));
  }, [c]);
  return (
    <div class="setup-sheet" data-testid="setup-sheet" role="status">
      <h3>{t('admin.setupSheet', { id: c.id })}</h3>
      <p class="once">{t('admin.shownOnce')}</p>
      <dl>
        <dt>{t('admin.gatewayId')}</dt>
        <dd>
          <code>{c.id}</code>
        </dd>
        {c.label && (
          <>
            <dt>{t('admin.label')}</dt>
            <dd>{c.label}</dd>
          </>
        )}
        <dt>{t('admin.server')}</dt>
        <dd>
          <code>{window.location.origin}</code>
        </dd>
        <dt>{t('admin.mqttUser')}</dt>
        <dd>
          <code>{c.username}</code>
        </dd>
        <dt>{t('admin.mqttPassword')}</dt>
        <dd>
          <code data-testid="gateway-password">{c.password}</code>
        </dd>
      </dl>
      {qr && <img src={qr} width={220} height={220} alt={t('admin.qrAlt', { id: c.id })} data-testid="gateway-qr" />}
      <button type="button" onClick={() => window.print()}>
        {t('admin.print')}
      </button>
    </div>
  );
}

export function Gateways({ orgId }: { orgId: string }) {
  const gateways = useLoad((signal) => adminApi.gateways(signal), []);
  const [id, setId] = useState('');
  const [label, setLabel] = useState('');
  const [shown, setShown] = useState<Credentials | null>(null);
  const [error, setError] = useState<string | null>(null);

  const register = (event: Event) => {
    event.preventDefault();
    setError(null);
    adminApi
      .registerGateway({ ...(id.trim() ? { id: id.trim() } : {}), ...(label.trim() ? { label: label.trim() } : {}) })
      .then(
        (g) => {
          setShown({
            id: g.id,
            ...(g.label ? { label: g.label } : {}),
            username: g.mqtt.username,
            password: g.mqtt.password,
          });
          setId('');
          setLabel('');
          gateways.reload();
        },
        (err: unknown) => setError(errorMessage(err)),
      );
  };
  const rotate = (gatewayId: string) =>
    adminApi.rotateGateway(gatewayId).then(
      (g) => setShown({ id: g.id, username: g.mqtt.username, password: g.mqtt.password }),
      (err: unknown) => setError(errorMessage(err)),
    );
  const revoke = (gatewayId: string) => {
    if (!window.confirm(t('admin.revokeConfirm', { id: gatewayId }))) return;
    adminApi.revokeGateway(gatewayId).then(gateways.reload, (err: unknown) => setError(errorMessage(err)));
  };

  return (
    <section aria-labelledby="gateways-heading">
      <h2 id="gateways-heading">{t('admin.gateways')}</h2>
      {gateways.error && <AlertBox text={gateways.error} />}
      {error && <AlertBox text={error} />}
      {shown && <SetupSheet credentials={shown} />}
      <table class="admin-table" data-testid="gateways-table">
        <TableHead columns={[t('admin.gatewayId'), t('admin.label'), t('admin.status'), t('admin.version')]} actions />
        <tbody>
          {gateways.data?.map((g) => (
            <tr key={g.id} data-gateway-id={g.id}>
              <td>
                <code>{g.id}</code>
              </td>
              <td>{g.label ?? ''}</td>
              <td>{g.revoked ? t('admin.revoked') : livenessLabel(g.status)}</td>
              <td>{g.version ?? ''}</td>
              <td>
                {!g.revoked && (
                  <>
                    <button type="button" onClick={() => void rotate(g.id)}>
                      {t('admin.rotate')}
                    </button>{' '}
                    <button type="button" onClick={() => revoke(g.id)}>
                      {t('admin.revoke')}
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="admin-form" data-testid="register-gateway-form" onSubmit={register}>
        <h3>{t('admin.registerGateway')}</h3>
        <Field id="gateway-id" label={t('admin.gatewayIdOptional')}>
          <input id="gateway-id" type="text" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </Field>
        <Field id="gateway-label" label={t('admin.label')}>
          <input id="gateway-label" type="text" value={label} onInput={(e) => setLabel(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('admin.register')}</button>
      </form>
      <FleetSettings orgId={orgId} />
    </section>
  );
}
