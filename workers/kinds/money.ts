/** Decimal amounts to integer minor units without floating point (12.3 EUR → 1230). */

/** ISO 4217 currencies without minor units; everything else here has 2 (enough for the shipped kinds). */
const ZERO_DECIMAL = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"]);

export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : 2;
}

/** Parses "1234.5" in `currency` to minor units; returns undefined when not a plain decimal with at most the currency's digits. */
export function toMinorUnits(amount: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > digits) return undefined;
  const minor = Number(`${whole}${fraction.padEnd(digits, "0")}`);
  if (!Number.isSafeInteger(minor)) return undefined;
  return sign === "-" ? -minor : minor;
}

export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}
