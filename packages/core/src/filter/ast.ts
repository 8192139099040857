// The filter AST: the one back-end-neutral form of a filter string.
// parse() produces it; compileToJs() (and later compileToSql()) consume it.

import type { Cidr } from '../fields/ipcodec.js';
import type { Comparator, FieldName } from '../fields/fields.js';

/** A value on the right of a comparator. Lists hold several; ranges are int-only. */
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

export type FilterNode =
  | { readonly type: 'all' }
  | { readonly type: 'or' | 'xor' | 'and'; readonly left: FilterNode; readonly right: FilterNode; readonly span: Span }
  | { readonly type: 'not'; readonly operand: FilterNode; readonly span: Span }
  | {
      readonly type: 'cmp';
      readonly field: FieldName;
      readonly op: Comparator;
      /** '=' matches any of the values; '!=' matches none of them. */
      readonly values: readonly FilterValue[];
      readonly span: Span;
    };
