/** Messages of the account screens (sign-in's own are in the core catalogue, i18n.ts). */
export const en = {
  'account.heading': 'My account',
  'account.secondFactor': 'Second factor',
  'account.setUpSecondFactor': 'Set up an authenticator app',
  'account.contacts': 'Where alerts reach me',
  'account.addEmail': 'Add an email address',
  'account.add': 'Add',
  'account.sessions': 'Signed-in sessions',
  'account.pushHint': 'To receive alerts on this device, use the alerts button at the top of the page.',
  'account.thisSession': 'this browser',
  'account.invitationHeading': 'Welcome',
  'account.invitationIntro': 'Choose a password for your account (at least 12 characters). You are then signed in.',
  'account.newPassword': 'New password',
  'account.invitationSubmit': 'Set the password and sign in',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'account.heading': 'アカウント',
  'account.secondFactor': '二要素認証',
  'account.setUpSecondFactor': '認証アプリを設定する',
  'account.contacts': '警報の通知先',
  'account.addEmail': 'メールアドレスを追加',
  'account.add': '追加',
  'account.sessions': 'ログイン中のセッション',
  'account.pushHint': 'この端末で警報を受け取るには、画面上部の警報ボタンを使ってください。',
  'account.thisSession': 'このブラウザ',
  'account.invitationHeading': 'ようこそ',
  'account.invitationIntro': 'アカウントのパスワードを決めてください（12文字以上）。設定後にログインします。',
  'account.newPassword': '新しいパスワード',
  'account.invitationSubmit': 'パスワードを設定してログイン',
};
