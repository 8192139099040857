// The one error the export encoders throw: a bad option, a bad row range, or a flow record the
// chosen export format cannot carry (mixed address families, times out of reach of sysUptime).

export type ExportEncoderErrorCode = 'ERR_EXPORT_OPTION' | 'ERR_EXPORT_RANGE' | 'ERR_EXPORT_FLOW';

export class ExportEncoderError extends Error {
  readonly code: ExportEncoderErrorCode;
  /** The FlowBatch row the problem is about (-1 when it is not about one row). */
  readonly row: number;

  constructor(code: ExportEncoderErrorCode, message: string, row = -1) {
    super(message);
    this.name = 'ExportEncoderError';
    this.code = code;
    this.row = row;
  }
}
