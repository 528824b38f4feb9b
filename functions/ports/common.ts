/** What every port shares: pages of a listing, and the clock. */

export interface Page<T> {
  items: T[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Clock {
  now(): Date;
}
