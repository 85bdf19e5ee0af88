/** Schemas of the device routes: moving a device to another gateway of its organisation. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const DeviceParams = Type.Object(
  {
    id: Type.String({
      maxLength: 210,
      description: 'ble:<address lower-case> or serial:<stable id>; any other value is not found',
    }),
  },
  closed,
);

export const MoveBody = Type.Object(
  { gatewayId: Type.String({ maxLength: 63, description: "a gateway of the device's organisation" }) },
  closed,
);

export const Moved = Type.Object(
  {
    id: Type.String(),
    organisationId: Type.String({ format: 'uuid' }),
    gatewayId: Type.String(),
    movedFrom: Type.Optional(Type.String({ description: 'the gateway it was registered at; absent when unchanged' })),
  },
  closed,
);

export const move = {
  summary: 'Register a device at another gateway of its organisation (administrators)',
  description:
    'Readings of the device from the old gateway are refused from now on; bindings stay as they are. ' +
    'Both gateways receive their new config.',
  tags: ['devices'],
  params: DeviceParams,
  body: MoveBody,
  response: { 200: Moved, ...ERROR_RESPONSES },
};
