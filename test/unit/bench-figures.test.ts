import { describe, expect, it } from 'vitest';
import { formatFigureValue, renderTable } from '../../bench/figures.js';

describe('bench figures: a value read beside its target', () => {
  it('adds digits when rounding would make a value that is not the limit read as the limit', () => {
    expect(formatFigureValue({ value: 306_960 / 1024, unit: 'KB', target: { op: '<', limit: 300 } })).toBe('299.8 KB');
    expect(formatFigureValue({ value: 0.89972, unit: 'x', target: { op: '>=', limit: 0.9 } })).toBe('0.8997 x');
    expect(formatFigureValue({ value: 0.2999999, unit: '$', target: { op: '<=', limit: 0.3 } })).toBe('$0.2999999');
  });

  it('leaves every other value as it is (the negative control)', () => {
    // Rounded, it reads apart from the limit; it is the limit; it has no target.
    expect(formatFigureValue({ value: 298.1, unit: 'KB', target: { op: '<', limit: 300 } })).toBe('298 KB');
    expect(formatFigureValue({ value: 0.9, unit: 'x', target: { op: '>=', limit: 0.9 } })).toBe('0.900 x');
    expect(formatFigureValue({ value: 299.8, unit: 'KB' })).toBe('300 KB');
  });

  it('is what the table prints', () => {
    const table = renderTable(
      [{ id: 'bundles.api.kb', section: 'bundles', figure: 'api bundle', value: 299.8, unit: 'KB', target: { op: '<', limit: 300 }, pass: true, command: 'c' }],
      [],
    );
    expect(table).toContain('299.8 KB');
    expect(table).not.toMatch(/\b300 KB\s+< 300 KB/);
  });
});
