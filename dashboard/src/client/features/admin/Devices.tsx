/**
 * Devices and bindings: bind a device (BLE address or serial id) to a patient from a time, at the
 * home's gateway; a device bound before moves to the new patient from that time.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { adminApi } from './api.ts';

export function Devices() {
  const patients = useLoad((signal) => adminApi.patients(signal), []);
  const gateways = useLoad((signal) => adminApi.gateways(signal), []);
  const [deviceId, setDeviceId] = useState('');
  const [patientId, setPatientId] = useState('');
  const [gatewayId, setGatewayId] = useState('');
  const [from, setFrom] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const bind = (event: Event) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    adminApi
      .bind({
        deviceId: deviceId.trim().toLowerCase(),
        patientId,
        ...(gatewayId ? { gatewayId } : {}),
        ...(from ? { from: new Date(from).toISOString() } : {}),
      })
      .then(
        () => {
          const name = patients.data?.find((p) => p.id === patientId)?.displayName ?? patientId;
          setDone(t('admin.bound', { device: deviceId.trim(), name }));
          setDeviceId('');
        },
        (err: unknown) => setError(errorMessage(err)),
      );
  };

  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading">{t('admin.devices')}</h2>
      <form class="admin-form" data-testid="bind-form" onSubmit={bind}>
        <h3>{t('admin.bind')}</h3>
        <Field id="bind-device" label={t('admin.deviceId')}>
          <input
            id="bind-device"
            type="text"
            required
            placeholder="ble:00:1c:05:aa:bb:01"
            value={deviceId}
            onInput={(e) => setDeviceId(e.currentTarget.value)}
          />
        </Field>
        <Field id="bind-patient" label={t('alerts.patient')}>
          <select id="bind-patient" required value={patientId} onChange={(e) => setPatientId(e.currentTarget.value)}>
            <option value="">—</option>
            {patients.data?.map((p) => (
              <option key={p.id} value={p.id}>
                {p.displayName}
              </option>
            ))}
          </select>
        </Field>
        <Field id="bind-gateway" label={t('admin.gateway')}>
          <select id="bind-gateway" value={gatewayId} onChange={(e) => setGatewayId(e.currentTarget.value)}>
            <option value="">—</option>
            {gateways.data
              ?.filter((g) => !g.revoked)
              .map((g) => (
                <option key={g.id} value={g.id}>
                  {g.label ? `${g.label} (${g.id})` : g.id}
                </option>
              ))}
          </select>
        </Field>
        <Field id="bind-from" label={t('admin.bindFrom')}>
          <input id="bind-from" type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('admin.bindSubmit')}</button>
        {done && (
          <p role="status" data-testid="bind-done">
            {done}
          </p>
        )}
        {error && <AlertBox text={error} />}
      </form>
    </section>
  );
}
