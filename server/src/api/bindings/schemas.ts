/** Schemas of the binding routes: a device bound to a patient from a time on. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const NewBinding = Type.Object(
  {
    deviceId: Type.String({ maxLength: 210, description: 'ble:<address lower-case> or serial:<stable id>' }),
    patientId: Type.String({ format: 'uuid', description: 'a patient on whose care team the caller is' }),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    gatewayId: Type.Optional(
      Type.String({ maxLength: 63, description: "the home's gateway; the device is registered (or moved) there" }),
    ),
    model: Type.Optional(Type.String({ maxLength: 200 })),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  closed,
);

export const Binding = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    deviceId: Type.String(),
    patientId: Type.String({ format: 'uuid' }),
    from: Type.String({ format: 'date-time' }),
    to: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    attachedReadings: Type.Integer({
      minimum: 0,
      description: "readings of the device since `from` that had no patient and are now this patient's",
    }),
  },
  closed,
);

export const create = {
  summary: 'Bind a device to a patient from a time on',
  description:
    "The device's open binding ends at `from`; readings of the unbound device since `from` become the patient's. " +
    "A new device is registered under the gateway's organisation, else the patient's or the caller's.",
  tags: ['bindings'],
  body: NewBinding,
  response: { 201: Binding, ...ERROR_RESPONSES },
};
