// The one error the session generator throws: a bad option or an unusable output buffer.

export type GeneratorErrorCode = 'ERR_GEN_OPTION' | 'ERR_GEN_BUFFER';

export class GeneratorError extends Error {
  readonly code: GeneratorErrorCode;

  constructor(code: GeneratorErrorCode, message: string) {
    super(message);
    this.name = 'GeneratorError';
    this.code = code;
  }
}
