/** An alert priority as the API reads and writes it: one of the contract's PRIORITIES. */
import { PRIORITIES } from '@vitals/contract';
import { type TSchemaOptions, Type } from 'typebox';

export const Priority = (options: TSchemaOptions = {}) => Type.Enum(PRIORITIES, options);
