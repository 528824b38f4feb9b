/**
 * What an SMS text costs: GSM 03.38 7-bit when every character is in the basic set or its
 * extension table (an extension character takes an escape and counts 2), UCS-2 otherwise
 * (UTF-16 code units: an emoji counts 2). One segment holds 160 GSM-7 characters or 70 UCS-2;
 * a longer text is split into parts of 153 or 67 (the rest is the concatenation header), and
 * an escape pair or a surrogate pair is never split across parts.
 */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsCost {
  encoding: SmsEncoding;
  /** Septets in GSM-7 (extension characters count 2), UTF-16 code units in UCS-2. */
  characters: number;
  segments: number;
}

const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const char of text) if (!basic.has(char) && !extension.has(char)) return false;
  return true;
}

/** Each character's width in its encoding's units, in order. */
function widths(text: string, encoding: SmsEncoding): number[] {
  const result: number[] = [];
  for (const char of text) result.push(encoding === 'GSM-7' ? (extension.has(char) ? 2 : 1) : char.length);
  return result;
}

export function smsCost(text: string): SmsCost {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const units = widths(text, encoding);
  const characters = units.reduce((sum, width) => sum + width, 0);
  const limit = LIMITS[encoding];
  if (characters <= limit.single) return { encoding, characters, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const width of units) {
    if (used + width > limit.part) {
      segments += 1;
      used = 0;
    }
    used += width;
  }
  return { encoding, characters, segments };
}
