/**
 * The one error hierarchy. The API turns each kind into its HTTP status and an
 * RFC 9457 problem document; the domain and the stores only throw these.
 */
export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `filter.tags.0`. */
  field: string;
  message: string;
}

export abstract class HeraldError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  constructor(message: string, readonly fields: FieldProblem[] = []) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends HeraldError {
  readonly status = 400;
  readonly title = 'Invalid request';
  static field(field: string, message: string): ValidationError {
    return new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}

export class NotFoundError extends HeraldError {
  readonly status = 404;
  readonly title = 'Not found';
}

export class ConflictError extends HeraldError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class UnsupportedMediaTypeError extends HeraldError {
  readonly status = 415;
  readonly title = 'Unsupported media type';
}

export class PayloadTooLargeError extends HeraldError {
  readonly status = 413;
  readonly title = 'Payload too large';
}

export class MethodNotAllowedError extends HeraldError {
  readonly status = 405;
  readonly title = 'Method not allowed';
}
