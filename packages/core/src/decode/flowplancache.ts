// The decoder's compiled flow plans, shared by every template of the same layout and counted: a plan
// lives while a template uses it, and the number alive is bounded (each costs kilobytes of code).

import { compileFlowPlan, type FlowPlan } from './compileflowplan.js';
import type { TemplateField } from './template.js';

interface Entry {
  readonly plan: FlowPlan;
  refs: number;
}

export class FlowPlanCache {
  private readonly live = new Map<string, Entry>();

  /** Plans in use by at least one template. */
  get size(): number {
    return this.live.size;
  }

  /**
   * The plan for a layout, compiled when no template uses it yet; undefined when compiling it would
   * make more than `limit` plans alive. Each plan acquired must be released once.
   */
  acquire(version: 9 | 10, fields: readonly TemplateField[], sig: string, limit: number): FlowPlan | undefined {
    const hit = this.live.get(sig);
    if (hit !== undefined) {
      hit.refs++;
      return hit.plan;
    }
    if (this.live.size >= limit) return undefined;
    const plan = compileFlowPlan(version, fields, sig);
    this.live.set(sig, { plan, refs: 1 });
    return plan;
  }

  /** A template stopped using `plan`: the last one lets it go. */
  release(plan: FlowPlan): void {
    const e = this.live.get(plan.sig);
    if (e === undefined || e.plan !== plan) return;
    if (--e.refs === 0) this.live.delete(plan.sig);
  }
}
