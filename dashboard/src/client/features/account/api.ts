/** Sign-in, the second factor and its enrolment. */
import { type Answer, type Body, request } from '../../api.ts';

export type LoginAnswer = Answer<'/api/v1/auth/login', 'post'>;
export type MfaAnswer = Answer<'/api/v1/auth/login/mfa', 'post'>;

export const accountApi = {
  login: (email: string, password: string) =>
    request<LoginAnswer>('POST', '/api/v1/auth/login', { email, password } satisfies Body<'/api/v1/auth/login'>),
  loginMfa: (mfaToken: string, code: string) =>
    request<MfaAnswer>('POST', '/api/v1/auth/login/mfa', { mfaToken, code }),
  /** A wall display signs in with the credential of its link (kiosk mode). */
  displaySignIn: (token: string) =>
    request<Answer<'/api/v1/auth/display', 'post'>>('POST', '/api/v1/auth/display', { token }),
  enrolTotp: () => request<Answer<'/api/v1/auth/totp/enrol', 'post'>>('POST', '/api/v1/auth/totp/enrol'),
  confirmTotp: (code: string) =>
    request<Answer<'/api/v1/auth/totp/confirm', 'post'>>('POST', '/api/v1/auth/totp/confirm', { code }),
};
