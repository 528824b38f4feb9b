/**
 * The one error hierarchy. The domain, the services and the stores throw these; they say
 * what went wrong, not how a protocol answers it: the API maps each kind to its HTTP status
 * in one place (functions/api/problem.ts).
 */
export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `filter.tags.0`. */
  field: string;
  message: string;
}

export abstract class HeraldError extends Error {
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input breaks a rule. */
export class ValidationError extends HeraldError {
  static field(field: string, message: string): ValidationError {
    return new ValidationError(`${field}: ${message}`, [{ field, message }]);
  }
}

/** What the request names does not exist. */
export class NotFoundError extends HeraldError {}

/** The thing exists but its state does not allow the change. */
export class ConflictError extends HeraldError {}

/** A chunk's outcome came after its lease ended and another worker claimed it: that worker's copy stands. */
export class LeaseLostError extends ConflictError {}
