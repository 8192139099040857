// The filter AST: the one back-end-neutral form of a filter string.
// parseFilter() produces it; compileToJs() (and later compileToSql()) consume it.

import type { Cidr } from '../fields/ipcodec.js';
import type { Comparator, FieldName } from '../fields/fields.js';

/**
 * A value on the right of a comparator, already checked against the field table.
 * Ranges (lo < hi) occur only on int fields and only with `=` / `!=`; a single
 * integer is lo === hi. A flag value holds one TCP flag bit.
 */
export type FilterValue =
  | { readonly kind: 'ip'; readonly cidr: Cidr }
  | { readonly kind: 'int'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'decimal'; readonly value: number }
  | { readonly kind: 'cc'; readonly value: number }
  | { readonly kind: 'mac'; readonly value: number }
  | { readonly kind: 'flag'; readonly mask: number };

/** Character offsets into the filter text, for error carets. */
export interface Span {
  readonly pos: number;
  readonly len: number;
}

export type BinaryType = 'or' | 'xor' | 'and';

/**
 * `span` is set on nodes made by parseFilter and absent on nodes built in code;
 * two filters are the same filter when they are equal without their spans.
 * `all` (the empty filter) only ever stands for a whole filter, never inside one.
 */
export type FilterNode =
  | { readonly type: 'all' }
  | { readonly type: BinaryType; readonly left: FilterNode; readonly right: FilterNode; readonly span?: Span }
  | { readonly type: 'not'; readonly operand: FilterNode; readonly span?: Span }
  | {
      readonly type: 'cmp';
      readonly field: FieldName;
      /** `==` in the text is stored as `=`. */
      readonly op: Comparator;
      /** '=' matches any of the values; '!=' matches none of them (never empty). */
      readonly values: readonly FilterValue[];
      readonly span?: Span;
    };

export type BinaryNode = Extract<FilterNode, { type: BinaryType }>;
export type CmpNode = Extract<FilterNode, { type: 'cmp' }>;

export function isBinary(node: FilterNode): node is BinaryNode {
  return node.type === 'or' || node.type === 'xor' || node.type === 'and';
}

/**
 * The operands of a chain of one operator (`a || b || c` → [a, b, c]), walking the
 * left spine without recursion so that filters of thousands of terms cannot
 * overflow the stack in any visitor.
 */
export function chainOperands(node: BinaryNode): FilterNode[] {
  const rights: FilterNode[] = [];
  let n: FilterNode = node;
  while (n.type === node.type) {
    const b = n as BinaryNode;
    rights.push(b.right);
    n = b.left;
  }
  rights.push(n);
  return rights.reverse();
}

/**
 * Rebuilds a tree bottom-up with `leaf` applied to every comparison, sharing every
 * subtree that did not change (so an unchanged filter comes back as the same object).
 */
export function mapComparisons(node: FilterNode, leaf: (cmp: CmpNode) => FilterNode): FilterNode {
  switch (node.type) {
    case 'all':
      return node;
    case 'cmp':
      return leaf(node);
    case 'not': {
      const operand = mapComparisons(node.operand, leaf);
      return operand === node.operand ? node : { ...node, operand };
    }
    default: {
      const spine: BinaryNode[] = [];
      let n: FilterNode = node;
      while (n.type === node.type) {
        spine.push(n as BinaryNode);
        n = (n as BinaryNode).left;
      }
      let acc = mapComparisons(n, leaf);
      for (let k = spine.length - 1; k >= 0; k--) {
        const s = spine[k]!;
        const right = mapComparisons(s.right, leaf);
        acc = acc === s.left && right === s.right ? s : { ...s, left: acc, right };
      }
      return acc;
    }
  }
}

/** Whether any comparison in the tree satisfies `test` (iterative: no depth limit). */
export function someComparison(node: FilterNode, test: (cmp: CmpNode) => boolean): boolean {
  const stack: FilterNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'cmp') {
      if (test(n)) return true;
    } else if (n.type === 'not') {
      stack.push(n.operand);
    } else if (n.type !== 'all') {
      stack.push(n.left, n.right);
    }
  }
  return false;
}
