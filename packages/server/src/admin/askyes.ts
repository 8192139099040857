// The one way the administrative commands ask before they destroy data: a question on the terminal
// and an explicit "yes", so that a slip of the keyboard (or an empty line) changes nothing.

import readline from 'node:readline';

/**
 * Ask `question` on `stdout` and read one line from `stdin`: true only for `yes` (surrounding blanks
 * ignored), false for anything else or the end of the input.
 */
export function askYes(stdin: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: stdin, output: stdout });
  return new Promise<boolean>((resolve) => {
    let answered = false;
    rl.on('close', () => {
      if (!answered) resolve(false);
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer.trim() === 'yes');
    });
  });
}
