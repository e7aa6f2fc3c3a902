/**
 * The buttons on a firing alert's root message (each button's value is the alert's id), as the message builds them
 * and the interaction reader recognises them.
 */
export const ACTIONS = {
  acknowledge: 'burnwatch_acknowledge',
  silence1h: 'burnwatch_silence_1h',
  silence4h: 'burnwatch_silence_4h',
  silenceUntilResolved: 'burnwatch_silence_until_resolved',
  notRealBurn: 'burnwatch_not_real_burn',
} as const;
export type ActionName = keyof typeof ACTIONS;
export const ACTIONS_BLOCK_ID = 'burnwatch_alert_actions';
export const NOT_REAL_BURN_CALLBACK = 'burnwatch_not_real_burn';
export const REASON_BLOCK = 'reason';
export const REASON_ACTION = 'reason';
export const MAX_REASON_CHARS = 500;

/** How long each silence button holds; null: until the alert resolves. */
export const SILENCE_SECONDS: Record<'silence1h' | 'silence4h' | 'silenceUntilResolved', number | null> = {
  silence1h: 3600,
  silence4h: 4 * 3600,
  silenceUntilResolved: null,
};
