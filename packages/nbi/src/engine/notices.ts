// What a detector tells its operator on stderr: its training progress lines as nbi.md shows them,
// and everything else (warnings, lost and regained servers, skipped windows) prefixed by its name.

export class Notices {
  constructor(
    readonly tool: string,
    private readonly stream: NodeJS.WritableStream,
  ) {}

  /** A line as it is (`Learning...`, `Progress: ...`). */
  line(text: string): void {
    this.stream.write(`${text}\n`);
  }

  /** `ftdos: <message>`. */
  say(message: string): void {
    this.stream.write(`${this.tool}: ${message}\n`);
  }
}
