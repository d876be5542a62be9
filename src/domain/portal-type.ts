/**
 * Portal type of a device change, as in the original system: M2M devices are keyed by ICCID,
 * Mobility devices (AT&T Telegence) by MSISDN. LNP is kept for compatibility of stored values.
 */
export const PortalType = { M2M: 0, LNP: 1, Mobility: 2 } as const;

/** Numeric portal type id. */
export type PortalType = (typeof PortalType)[keyof typeof PortalType];
