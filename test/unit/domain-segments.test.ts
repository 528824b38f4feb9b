/** SMS cost rules: GSM 03.38 basic set and extension table, UCS-2 otherwise, and where segments split. */
import { describe, expect, it } from 'vitest';
import { isGsm7, smsCost } from '../../functions/domain/channels/sms.js';

describe('smsCost', () => {
  it('160 GSM-7 characters are one segment, 161 are two', () => {
    expect(smsCost('a'.repeat(160))).toEqual({ encoding: 'GSM-7', characters: 160, segments: 1 });
    expect(smsCost('a'.repeat(161))).toEqual({ encoding: 'GSM-7', characters: 161, segments: 2 });
  });
  it('a long GSM-7 text is split into parts of 153', () => {
    expect(smsCost('a'.repeat(306)).segments).toBe(2);
    expect(smsCost('a'.repeat(307)).segments).toBe(3);
  });
  it('70 UCS-2 characters are one segment, 71 are two', () => {
    expect(smsCost('ж'.repeat(70))).toEqual({ encoding: 'UCS-2', characters: 70, segments: 1 });
    expect(smsCost('ж'.repeat(71))).toEqual({ encoding: 'UCS-2', characters: 71, segments: 2 });
    expect(smsCost('ж'.repeat(134)).segments).toBe(2);
    expect(smsCost('ж'.repeat(135)).segments).toBe(3);
  });
  it('€ and the other extension characters count 2', () => {
    expect(smsCost('€')).toEqual({ encoding: 'GSM-7', characters: 2, segments: 1 });
    expect(smsCost('{}[]~|^\\').characters).toBe(16);
    expect(smsCost('€'.repeat(80)).segments).toBe(1);
    expect(smsCost('a' + '€'.repeat(80)).segments).toBe(2);
  });
  it('an escape pair is never split across parts', () => {
    // 152 plain characters then €: the pair does not fit in the first part's last septet.
    expect(smsCost('a'.repeat(152) + '€' + 'a'.repeat(152)).segments).toBe(3);
    expect(smsCost('a'.repeat(151) + '€' + 'a'.repeat(153)).segments).toBe(2);
  });
  it('any Cyrillic character forces UCS-2', () => {
    expect(smsCost('Hello, world ж')).toEqual({ encoding: 'UCS-2', characters: 14, segments: 1 });
    expect(isGsm7('Привет')).toBe(false);
    expect(smsCost('a'.repeat(100) + 'Я').segments).toBe(2);
  });
  it('the GSM basic set keeps GSM-7, accents and Greek capitals included', () => {
    expect(isGsm7('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\n\r')).toBe(true);
    // Outside it: lower-case Greek, ç, á, the curly quote.
    for (const char of ['α', 'ç', 'á', '’', '`']) expect(isGsm7(char), char).toBe(false);
  });
  it('an emoji is UCS-2 and counts 2 code units, never split across parts', () => {
    expect(smsCost('Hi 👋')).toEqual({ encoding: 'UCS-2', characters: 5, segments: 1 });
    expect(smsCost('👋'.repeat(35)).segments).toBe(1);
    expect(smsCost('👋'.repeat(36)).segments).toBe(3 - 1);
    expect(smsCost('a' + '👋'.repeat(34)).segments).toBe(1);
    expect(smsCost('a'.repeat(66) + '👋' + 'a'.repeat(66)).segments).toBe(3);
  });
});
