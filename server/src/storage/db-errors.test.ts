import { describe, expect, it } from 'vitest';
import { classifyDatabaseError } from './db-errors.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyDatabaseError', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22008', 'date/time field value out of range: "0000-01-01T00:00:00.000Z"'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22003', 'numeric value out of range'],
    ['23505', 'duplicate key value violates unique constraint'],
    ['23502', 'null value in column violates not-null constraint'],
    ['54000', 'index row requires 9000 bytes, maximum size is 8191'],
  ])('blames the data for SQLSTATE %s (%s)', (code, message) => {
    expect(classifyDatabaseError(pgError(code, message))).toBe('data');
  });

  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['08006', 'connection failure'],
    ['53300', 'sorry, too many clients already'],
    ['57014', 'canceling statement due to statement timeout'],
    ['40P01', 'deadlock detected'],
    ['ECONNRESET', 'read ECONNRESET'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'],
  ])('calls the database unavailable for code %s (%s)', (code, message) => {
    expect(classifyDatabaseError(pgError(code, message))).toBe('unavailable');
  });

  it.each([
    'Connection terminated unexpectedly',
    'Connection terminated due to connection timeout',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
    'PGlite is closed',
  ])('calls the database unavailable for the code-less error "%s"', (message) => {
    expect(classifyDatabaseError(new Error(message))).toBe('unavailable');
  });

  it('finds the database error in the cause of a wrapping error', () => {
    const wrapped = new Error('commit failed', { cause: pgError('22021') });
    expect(classifyDatabaseError(wrapped)).toBe('data');
  });

  it('blames nobody for errors it does not recognise, so they are retried', () => {
    expect(classifyDatabaseError(pgError('42P01', 'relation "readings" does not exist'))).toBe('other');
    expect(classifyDatabaseError(new TypeError('x is undefined'))).toBe('other');
    expect(classifyDatabaseError(undefined)).toBe('other');
    expect(classifyDatabaseError('a string')).toBe('other');
  });
});
