// The decoder's compiled flow plans, shared by every template of the same layout and counted; a plan no
// template uses waits idle for its layout to come back (a flapping template), within the plan limit.

import { compileFlowPlan, type FlowPlan } from './compileflowplan.js';
import type { TemplateField } from './template.js';

/** Idle plans kept at most, whatever the limit leaves room for: enough for many flapping templates, a few MiB of code. */
export const MAX_IDLE_FLOW_PLANS = 256;

interface Entry {
  readonly plan: FlowPlan;
  refs: number;
}

export class FlowPlanCache {
  private readonly live = new Map<string, Entry>();
  /** Plans no template uses, least recently released first. */
  private readonly idle = new Map<string, FlowPlan>();

  /** Plans in use by at least one template. */
  get size(): number {
    return this.live.size;
  }

  /** Plans kept compiled although no template uses them. */
  get idleSize(): number {
    return this.idle.size;
  }

  /**
   * The plan for a layout: in use already, idle (no compiling), or compiled now, which may first
   * forget idle plans so that plans in use and idle stay below `limit`; undefined when the plans in
   * use alone reach it. Each plan acquired must be released once.
   */
  acquire(version: 9 | 10, fields: readonly TemplateField[], sig: string, limit: number): FlowPlan | undefined {
    const hit = this.live.get(sig);
    if (hit !== undefined) {
      hit.refs++;
      return hit.plan;
    }
    const waiting = this.idle.get(sig);
    if (waiting !== undefined) {
      this.idle.delete(sig);
      this.live.set(sig, { plan: waiting, refs: 1 });
      return waiting;
    }
    if (this.live.size >= limit) return undefined;
    while (this.idle.size > 0 && this.live.size + this.idle.size >= limit) this.dropOldestIdle();
    const plan = compileFlowPlan(version, fields, sig);
    this.live.set(sig, { plan, refs: 1 });
    return plan;
  }

  /** A template stopped using `plan`: after the last one it waits among the idle plans. */
  release(plan: FlowPlan): void {
    const e = this.live.get(plan.sig);
    if (e === undefined || e.plan !== plan) return;
    if (--e.refs > 0) return;
    this.live.delete(plan.sig);
    this.idle.set(plan.sig, plan);
    if (this.idle.size > MAX_IDLE_FLOW_PLANS) this.dropOldestIdle();
  }

  private dropOldestIdle(): void {
    this.idle.delete(this.idle.keys().next().value!);
  }
}
