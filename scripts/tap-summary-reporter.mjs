// A tap reporter for scripts and CI: one line per test file, the details of every
// failure, and a closing "N passed, N failed" line that CI summaries read.
import { Minipass } from 'minipass';
import { Parser } from 'tap-parser';
import { stringify } from 'tap-yaml';

export default class SummaryReporter extends Minipass {
  #parser = new Parser();
  #passed = 0;
  #failed = 0;
  #skipped = 0;

  constructor() {
    super({ encoding: 'utf8' });
    this.#watch(this.#parser, 0);
    this.#parser.on('complete', (r) => this.#finish(r));
  }

  write(chunk, encoding, cb) {
    this.#parser.write(chunk);
    if (typeof encoding === 'function') encoding();
    else if (typeof cb === 'function') cb();
    return true;
  }

  end(chunk, encoding, cb) {
    if (chunk && typeof chunk !== 'function') this.#parser.write(chunk);
    this.#parser.end();
    const done = [chunk, encoding, cb].find((x) => typeof x === 'function');
    if (done) done();
    return this;
  }

  // Returns a counter of the failures counted inside this parser, so that a failed
  // subtest is counted once (for its failed assertion), not again for its summary.
  #watch(parser, depth) {
    const failures = { count: 0 };
    const children = [];
    parser.on('child', (child) => children.push(this.#watch(child, depth + 1)));
    parser.on('assert', (r) => {
      const child = children.shift();
      const isSubtest = child !== undefined;
      if (isSubtest) failures.count += child.count;
      if (depth === 0) {
        const time = r.time ? ` (${(r.time / 1000).toFixed(1)} s)` : '';
        super.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name}${time}\n`);
      }
      if (isSubtest && (r.ok || child.count > 0)) return;
      if (r.skip || r.todo) this.#skipped++;
      else if (r.ok) this.#passed++;
      else {
        this.#failed++;
        failures.count++;
        super.write(`  not ok: ${r.fullname}\n`);
        if (r.diag) super.write(stringify(r.diag).replace(/^/gm, '    ') + '\n');
      }
    });
    parser.on('bailout', (reason) => super.write(`Bail out! ${reason}\n`));
    return failures;
  }

  #finish(results) {
    const skipped = this.#skipped ? `, ${this.#skipped} skipped` : '';
    if (!results.ok && this.#failed === 0) this.#failed = 1;
    super.write(`\n${this.#passed} passed, ${this.#failed} failed${skipped}\n`);
    super.end();
  }
}
