import { readFileSync } from 'node:fs';
import t from 'tap';
import { FILTER_FIELDS } from '../../src/fields/fields.js';
import {
  FilterError,
  filterToString,
  formatFilterError,
  mentionsField,
  parseFilter,
  restrictToSide,
  type FilterErrorCode,
  type FilterNode,
} from '../../src/filter/index.js';
import { strip } from './helpers.js';

function errorOf(text: string): FilterError {
  try {
    parseFilter(text);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

t.test('empty and blank filters select everything', async (t) => {
  for (const text of ['', '   ', '\t\n']) t.same(parseFilter(text), { type: 'all' }, JSON.stringify(text));
});

t.test('statements: values checked and converted', async (t) => {
  const cmp = (text: string): unknown => strip(parseFilter(text));
  t.same(cmp('SRVPORT=22'), { type: 'cmp', field: 'SRVPORT', op: '=', values: [{ kind: 'int', lo: 22, hi: 22 }] });
  t.same(cmp('srvport == 22'), cmp('SRVPORT=22'), '== is =, field names are case-insensitive, white space is free');
  t.same(cmp('PROTO=tcp'), { type: 'cmp', field: 'PROTO', op: '=', values: [{ kind: 'int', lo: 6, hi: 6 }] });
  t.same(cmp('PROTO=ICMP6'), { type: 'cmp', field: 'PROTO', op: '=', values: [{ kind: 'int', lo: 58, hi: 58 }] });
  t.same(cmp('proto>=17'), { type: 'cmp', field: 'PROTO', op: '>=', values: [{ kind: 'int', lo: 17, hi: 17 }] });
  t.same(cmp('FLAGS=fsyn'), { type: 'cmp', field: 'FLAGS', op: '=', values: [{ kind: 'flag', mask: 2 }] });
  t.same(cmp('FLAGS!=FCWR'), { type: 'cmp', field: 'FLAGS', op: '!=', values: [{ kind: 'flag', mask: 128 }] });
  t.same(cmp('CLNCC=nl'), { type: 'cmp', field: 'CLNCC', op: '=', values: [{ kind: 'cc', value: 0x4e4c }] });
  t.same(cmp('SRVCC=--'), { type: 'cmp', field: 'SRVCC', op: '=', values: [{ kind: 'cc', value: 0 }] }, '-- is the unknown country');
  t.same(cmp('MAC=aa:bb:cc:dd:ee:ff'), { type: 'cmp', field: 'MAC', op: '=', values: [{ kind: 'mac', value: 0xaabbccddeeff }] });
  t.same(cmp('CLNMAC=AA-BB-CC-DD-EE-FF'), { type: 'cmp', field: 'CLNMAC', op: '=', values: [{ kind: 'mac', value: 0xaabbccddeeff }] });
  t.same(cmp('SRVMAC=aabb.ccdd.eeff'), { type: 'cmp', field: 'SRVMAC', op: '=', values: [{ kind: 'mac', value: 0xaabbccddeeff }] });
  t.same(cmp('TTIME>1.5'), { type: 'cmp', field: 'TTIME', op: '>', values: [{ kind: 'decimal', value: 1.5 }] });
  t.same(cmp('TTIME<=.25'), { type: 'cmp', field: 'TTIME', op: '<=', values: [{ kind: 'decimal', value: 0.25 }] });
  t.same(cmp('TTIME=2'), { type: 'cmp', field: 'TTIME', op: '=', values: [{ kind: 'decimal', value: 2 }] });
  t.same(cmp('CLNPKTS>=9007199254740991'), { type: 'cmp', field: 'CLNPKTS', op: '>=', values: [{ kind: 'int', lo: 9007199254740991, hi: 9007199254740991 }] });
  t.same(cmp('INIF=4294967295'), { type: 'cmp', field: 'INIF', op: '=', values: [{ kind: 'int', lo: 4294967295, hi: 4294967295 }] });
});

t.test('addresses and CIDR blocks', async (t) => {
  const v = (text: string): unknown => (strip(parseFilter(text)) as { values: unknown[] }).values;
  const v4 = (a: number, bits: number, m3: number): unknown => ({ kind: 'ip', cidr: { words: [0, 0, 0xffff, a], masks: [0xffffffff, 0xffffffff, 0xffffffff, m3], bits, v4: true } });
  t.same(v('SRVIP=10.1.2.3'), [v4(0x0a010203, 128, 0xffffffff)]);
  t.same(v('SRVIP=10.0.0.0/8'), [v4(0x0a000000, 104, 0xff000000)]);
  t.same(v('SRVIP=10.0.0.1/8'), v('SRVIP=10.0.0.0/8'), 'host bits are masked off');
  t.same(v('ADDR=0.0.0.0/0'), [v4(0, 96, 0)], '/0 of IPv4 still requires the IPv4-mapped prefix');
  t.same(v('ADDR=::ffff:10.0.0.0/104'), v('ADDR=10.0.0.0/8'), 'IPv4-mapped IPv6 is IPv4');
  t.same(v('ADDR=::ffff:a00:1'), v('ADDR=10.0.0.1'));
  t.same(v('CLNIP=fed9:c0::/32'), [{ kind: 'ip', cidr: { words: [0xfed900c0, 0, 0, 0], masks: [0xffffffff, 0, 0, 0], bits: 32, v4: false } }]);
  t.same(v('CLNIP=::/0'), [{ kind: 'ip', cidr: { words: [0, 0, 0, 0], masks: [0, 0, 0, 0], bits: 0, v4: false } }]);
  t.same(v('EXPIP=2001:db8::1'), [{ kind: 'ip', cidr: { words: [0x20010db8, 0, 0, 1], masks: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], bits: 128, v4: false } }]);
  t.same(v('EXPIP=2001:db8::ff/120'), [{ kind: 'ip', cidr: { words: [0x20010db8, 0, 0, 0], masks: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffff00], bits: 120, v4: false } }]);
});

t.test('lists and ranges', async (t) => {
  const v = (text: string): unknown => (strip(parseFilter(text)) as { values: unknown[] }).values;
  const i = (lo: number, hi = lo): unknown => ({ kind: 'int', lo, hi });
  t.same(v('SRVPORT=80,443,8080'), [i(80), i(443), i(8080)]);
  t.same(v('PORT = 22 , 1000 - 2000'), [i(22), i(1000, 2000)], 'white space around commas and dashes');
  t.same(v('PORT!=10000-20000'), [i(10000, 20000)]);
  t.same(v('PROTO=TCP,udp,1-2'), [i(6), i(17), i(1, 2)]);
  t.same(v('PORT=5-5'), [i(5)]);
  t.same(v('CLNCC=NL,BE'), [{ kind: 'cc', value: 0x4e4c }, { kind: 'cc', value: 0x4245 }]);
  t.same(v('FLAGS=FSYN,FRST'), [{ kind: 'flag', mask: 2 }, { kind: 'flag', mask: 4 }]);
  t.same(v('TTIME=1.5,2'), [{ kind: 'decimal', value: 1.5 }, { kind: 'decimal', value: 2 }]);
  t.equal((v('ADDR=10.0.0.0/8, 2001:db8::/32,192.168.1.1') as unknown[]).length, 3);
});

t.test('precedence: ! binds tightest, then &&, ^^, ||; left-associative', async (t) => {
  const shape = (n: FilterNode): string => {
    switch (n.type) {
      case 'cmp':
        return String((n.values[0] as { lo: number }).lo);
      case 'not':
        return `!${shape(n.operand)}`;
      case 'all':
        return '*';
      default:
        return `${n.type}(${shape(n.left)},${shape(n.right)})`;
    }
  };
  const s = (text: string): string => shape(parseFilter(text.replace(/\b(\d)\b/g, 'TOS=$1')));
  t.equal(s('1 || 2 && 3'), 'or(1,and(2,3))');
  t.equal(s('1 && 2 || 3'), 'or(and(1,2),3)');
  t.equal(s('1 ^^ 2 || 3'), 'or(xor(1,2),3)');
  t.equal(s('1 || 2 ^^ 3'), 'or(1,xor(2,3))');
  t.equal(s('1 ^^ 2 && 3'), 'xor(1,and(2,3))');
  t.equal(s('!1 && 2'), 'and(!1,2)');
  t.equal(s('!!1'), '!!1');
  t.equal(s('!(1 && 2)'), '!and(1,2)');
  t.equal(s('1 && 2 && 3'), 'and(and(1,2),3)');
  t.equal(s('1 || (2 || 3)'), 'or(1,or(2,3))');
  t.equal(s('(1 || 2) && 3'), 'and(or(1,2),3)');
  t.equal(s('1 || 2 ^^ 3 && 4'), 'or(1,xor(2,and(3,4)))');
  t.equal(s('((((1))))'), '1');
});

t.test('spans locate each node in the text', async (t) => {
  const n = parseFilter('SRVPORT=22 && !(PROTO=TCP)');
  if (n.type !== 'and') throw new Error('expected and');
  const spanOf = (x: FilterNode): unknown => (x.type === 'all' ? undefined : x.span);
  t.same(n.span, { pos: 0, len: 26 });
  t.same(spanOf(n.left), { pos: 0, len: 10 });
  t.same(spanOf(n.right), { pos: 14, len: 12 });
  if (n.right.type !== 'not') throw new Error('expected not');
  t.same(spanOf(n.right.operand), { pos: 15, len: 11 }, 'a group spans its parentheses');
});

t.test('filter.md examples parse', async (t) => {
  for (const text of [
    'SRVIP=123.45.67.89 && CLNPKTS>=100',
    'SRVPORT=22 && SRVIP=123.45.67.89 || SRVIP=89.67.45.123',
    'VLAN!=6 && TOS!=0 && SRVIP=69.59.241.0/24',
    '(PROTO=50 || PROTO=17) && !(CLNPORT=500)',
    'FLAGS=FSYN && !(FLAGS=FACK) && TOTPKTS<=2',
  ]) {
    t.not(parseFilter(text).type, 'all', text);
  }
});

t.test('every filter field parses with each comparator it takes and rejects the others', async (t) => {
  const sample: Record<string, string> = { ip: '10.0.0.1', int: '5', decimal: '2.5', cc: 'US', mac: '00:11:22:33:44:55', flag: 'FACK' };
  for (const f of FILTER_FIELDS) {
    const spec = f.filter!;
    for (const op of ['=', '!=', '>=', '<=', '>', '<']) {
      const text = `${f.name}${op}${sample[spec.value]}`;
      if ((spec.comparators as readonly string[]).includes(op)) {
        const n = parseFilter(text);
        t.ok(n.type === 'cmp' && n.field === f.name && n.op === op, text);
      } else {
        t.equal(errorOf(text).code, 'BAD_COMPARATOR', text);
      }
    }
  }
});

interface ErrorCase {
  readonly text: string;
  readonly code: FilterErrorCode;
  readonly pos: number;
  readonly len: number;
  readonly message: string;
}

const ERROR_CASES: readonly ErrorCase[] = [
  // unknown field, with suggestions
  { text: 'SRCIP=10.0.0.1 && PROTO=TCP', code: 'UNKNOWN_FIELD', pos: 0, len: 5, message: "unknown field 'SRCIP' (did you mean CLNIP or SRVIP?)" },
  { text: 'DSTPORT=22', code: 'UNKNOWN_FIELD', pos: 0, len: 7, message: "unknown field 'DSTPORT' (did you mean SRVPORT?)" },
  { text: 'PORT=22 && src_port=5', code: 'UNKNOWN_FIELD', pos: 11, len: 8, message: "unknown field 'src_port' (did you mean CLNPORT or SRVPORT?)" },
  { text: 'SRVPROT=22', code: 'UNKNOWN_FIELD', pos: 0, len: 7, message: "unknown field 'SRVPROT' (did you mean SRVPORT?)" },
  { text: 'SRVPRT=22', code: 'UNKNOWN_FIELD', pos: 0, len: 6, message: "unknown field 'SRVPRT' (did you mean SRVPORT or SRVPKTS?)" },
  { text: 'protocol=tcp', code: 'UNKNOWN_FIELD', pos: 0, len: 8, message: "unknown field 'protocol' (did you mean PROTO?)" },
  { text: '10.0.0.1', code: 'UNKNOWN_FIELD', pos: 0, len: 8, message: "unknown field '10.0.0.1' (did you mean ADDR=10.0.0.1?)" },
  { text: 'tcp', code: 'UNKNOWN_FIELD', pos: 0, len: 3, message: "unknown field 'tcp' (did you mean PROTO=TCP?)" },
  { text: 'not TOS=1', code: 'UNKNOWN_FIELD', pos: 0, len: 3, message: "unknown field 'not' (use ! for not)" },
  { text: 'XYZZY=1', code: 'UNKNOWN_FIELD', pos: 0, len: 5, message: "unknown field 'XYZZY'" },
  { text: 'START>5', code: 'NOT_FILTERABLE', pos: 0, len: 5, message: 'START cannot be used in a filter (select times with -tn, -te or -tl)' },
  { text: 'mpls=5', code: 'NOT_FILTERABLE', pos: 0, len: 4, message: 'MPLS cannot be used in a filter (it is an output column only)' },
  // missing pieces
  { text: 'SRVPORT=', code: 'MISSING_VALUE', pos: 8, len: 1, message: "missing value after 'SRVPORT=' (e.g. SRVPORT=100)" },
  { text: 'SRVIP!= && PROTO=TCP', code: 'MISSING_VALUE', pos: 8, len: 1, message: "missing value after 'SRVIP!=' (e.g. SRVIP!=10.0.0.0/8)" },
  { text: 'SRVPORT=,80', code: 'MISSING_VALUE', pos: 8, len: 1, message: "missing value after 'SRVPORT=' (e.g. SRVPORT=100)" },
  { text: 'SRVPORT=80,,443', code: 'MISSING_VALUE', pos: 10, len: 1, message: "missing value after ','" },
  { text: 'SRVPORT=80, ', code: 'MISSING_VALUE', pos: 10, len: 1, message: "missing value after ','" },
  { text: 'PORT=1000-', code: 'MISSING_VALUE', pos: 10, len: 1, message: "range '1000-' has no upper end" },
  { text: 'SRVPORT', code: 'MISSING_COMPARATOR', pos: 7, len: 1, message: 'SRVPORT needs a comparator and a value (e.g. SRVPORT=100)' },
  { text: 'SRVIP 1.2.3.4', code: 'MISSING_COMPARATOR', pos: 6, len: 7, message: 'SRVIP needs a comparator and a value (did you mean SRVIP=1.2.3.4?)' },
  { text: '=22', code: 'MISSING_FIELD', pos: 0, len: 1, message: "'=' needs a field name on its left (e.g. SRVPORT=22)" },
  { text: 'TOS=1 && ,', code: 'MISSING_FIELD', pos: 9, len: 1, message: "expected a condition, found ',' (e.g. SRVPORT=22)" },
  // addresses
  { text: 'SRVIP=1.2.3', code: 'BAD_ADDRESS', pos: 6, len: 5, message: "'1.2.3' is not an IPv4 or IPv6 address" },
  { text: 'SRVIP=256.0.0.1', code: 'BAD_ADDRESS', pos: 6, len: 9, message: "'256.0.0.1' is not an IPv4 or IPv6 address" },
  { text: 'ADDR=fe80::1::2/64', code: 'BAD_ADDRESS', pos: 5, len: 10, message: "'fe80::1::2' is not an IPv4 or IPv6 address" },
  {
    text: 'SRVIP=10.0.0.1-10.0.0.9',
    code: 'BAD_ADDRESS',
    pos: 6,
    len: 17,
    message: "'10.0.0.1-10.0.0.9' is not an IPv4 or IPv6 address (address ranges are not supported; use a CIDR block such as 10.0.0.0/24)",
  },
  { text: 'SRVIP=1.2.3.4/33', code: 'BAD_PREFIX', pos: 14, len: 2, message: 'prefix length /33 is too long for an IPv4 address (at most /32)' },
  { text: 'ADDR=::1/129', code: 'BAD_PREFIX', pos: 9, len: 3, message: 'prefix length /129 is too long for an IPv6 address (at most /128)' },
  { text: 'ADDR=10.0.0.0/', code: 'BAD_PREFIX', pos: 13, len: 1, message: "missing prefix length after '/'" },
  { text: 'ADDR=10.0.0.0/x', code: 'BAD_PREFIX', pos: 14, len: 1, message: "'/x' is not a prefix length" },
  // numbers
  { text: 'SRVPORT=65536', code: 'OUT_OF_RANGE', pos: 8, len: 5, message: 'SRVPORT value 65536 is out of range (0-65535)' },
  { text: 'VLAN=4096', code: 'OUT_OF_RANGE', pos: 5, len: 4, message: 'VLAN value 4096 is out of range (0-4095)' },
  { text: 'PROTO=256', code: 'OUT_OF_RANGE', pos: 6, len: 3, message: 'PROTO value 256 is out of range (0-255)' },
  { text: 'TOS=-1', code: 'OUT_OF_RANGE', pos: 4, len: 2, message: 'TOS value -1 is out of range (0-255)' },
  { text: 'IFACE=4294967296', code: 'OUT_OF_RANGE', pos: 6, len: 10, message: 'IFACE value 4294967296 is out of range (0-4294967295)' },
  { text: 'BYTES>9007199254740992', code: 'OUT_OF_RANGE', pos: 6, len: 16, message: 'BYTES value 9007199254740992 is out of range (0-9007199254740991)' },
  { text: 'TTIME>-1.5', code: 'OUT_OF_RANGE', pos: 6, len: 4, message: 'TTIME value -1.5 is out of range (0-9007199254740991)' },
  { text: 'PORT=0-70000', code: 'OUT_OF_RANGE', pos: 7, len: 5, message: 'PORT value 70000 is out of range (0-65535)' },
  { text: 'SRVPORT=http', code: 'BAD_VALUE', pos: 8, len: 4, message: "SRVPORT needs a whole number, not 'http' (SRVPORT takes 0-65535)" },
  { text: 'TOS=1.5', code: 'BAD_VALUE', pos: 4, len: 3, message: "TOS needs a whole number, not '1.5' (TOS takes 0-255)" },
  { text: 'TTIME=soon', code: 'BAD_VALUE', pos: 6, len: 4, message: "TTIME needs a number such as 1.5, not 'soon'" },
  { text: 'CLNCC=USA', code: 'BAD_VALUE', pos: 6, len: 3, message: "CLNCC needs a two-letter country code, not 'USA' (e.g. US or NL; -- for unknown)" },
  { text: 'MAC=aa:bb', code: 'BAD_VALUE', pos: 4, len: 5, message: "'aa:bb' is not a MAC address (write aa:bb:cc:dd:ee:ff)" },
  { text: 'PORT = 22, 1000 - x', code: 'BAD_VALUE', pos: 18, len: 1, message: "PORT needs a whole number, not 'x' (PORT takes 0-65535)" },
  // ranges
  { text: 'PORT=2000-1000', code: 'BAD_RANGE', pos: 5, len: 9, message: "range '2000-1000' is empty (the low end comes first: 1000-2000)" },
  { text: 'PORT=1-2-3', code: 'BAD_RANGE', pos: 5, len: 5, message: "'1-2-3' is not a range (write a range as LOW-HIGH, e.g. 1000-2000)" },
  { text: 'TTIME=1-2', code: 'BAD_RANGE', pos: 6, len: 3, message: 'TTIME takes no dash ranges (write TTIME>=LOW && TTIME<=HIGH)' },
  // comparators
  { text: 'SRVIP>1.2.3.4', code: 'BAD_COMPARATOR', pos: 5, len: 1, message: "SRVIP does not take '>' (SRVIP takes = or !=)" },
  { text: 'FLAGS>=FSYN', code: 'BAD_COMPARATOR', pos: 5, len: 2, message: "FLAGS does not take '>=' (FLAGS takes = for flag set, != for flag not set)" },
  { text: 'CLNCC<US', code: 'BAD_COMPARATOR', pos: 5, len: 1, message: "CLNCC does not take '<' (CLNCC takes = or !=)" },
  { text: 'SRVPORT=>22', code: 'BAD_COMPARATOR', pos: 7, len: 2, message: "unknown comparator '=>' (did you mean >=?)" },
  { text: 'SRVPORT<>22', code: 'BAD_COMPARATOR', pos: 7, len: 2, message: "unknown comparator '<>' (did you mean !=?)" },
  { text: 'SRVPORT=<>22', code: 'BAD_COMPARATOR', pos: 7, len: 3, message: "unknown comparator '=<>' (comparators: = != >= <= > <)" },
  { text: 'SRVIP!1.2.3.4', code: 'BAD_COMPARATOR', pos: 5, len: 1, message: "unknown comparator '!' (did you mean !=?)" },
  { text: 'SRVPORT>80,443', code: 'BAD_COMPARATOR', pos: 7, len: 1, message: "a list of values needs = or !=, not '>'" },
  { text: 'PORT<=1000-2000', code: 'BAD_COMPARATOR', pos: 4, len: 2, message: "a range needs = or !=, not '<='" },
  // mnemonics
  {
    text: 'PROTO=TPC',
    code: 'UNKNOWN_MNEMONIC',
    pos: 6,
    len: 3,
    message: "unknown PROTO value 'TPC' (did you mean TCP? valid: ICMP TCP UDP GRE ESP AH ICMP6 SCTP, or a number 0-255)",
  },
  { text: 'PROTO=IGMP', code: 'UNKNOWN_MNEMONIC', pos: 6, len: 4, message: "unknown PROTO value 'IGMP' (did you mean ICMP? valid: ICMP TCP UDP GRE ESP AH ICMP6 SCTP, or a number 0-255)" },
  { text: 'FLAGS=SYN', code: 'UNKNOWN_MNEMONIC', pos: 6, len: 3, message: "unknown FLAGS value 'SYN' (did you mean FSYN? valid: FFIN FSYN FRST FPSH FACK FURG FECN FCWR)" },
  { text: 'FLAGS=2', code: 'UNKNOWN_MNEMONIC', pos: 6, len: 1, message: "unknown FLAGS value '2' (valid: FFIN FSYN FRST FPSH FACK FURG FECN FCWR)" },
  // structure
  { text: '(SRVPORT=22 || PROTO=TCP', code: 'UNBALANCED_PAREN', pos: 0, len: 1, message: "'(' is never closed (add ')')" },
  { text: '((SRVPORT=22)', code: 'UNBALANCED_PAREN', pos: 0, len: 1, message: "'(' is never closed (add ')')" },
  { text: 'TOS=1 && (', code: 'UNBALANCED_PAREN', pos: 9, len: 1, message: "'(' is never closed (add ')')" },
  { text: 'SRVPORT=22)', code: 'UNBALANCED_PAREN', pos: 10, len: 1, message: "')' without a matching '('" },
  { text: ') TOS=1', code: 'UNBALANCED_PAREN', pos: 0, len: 1, message: "')' without a matching '('" },
  { text: '()', code: 'EMPTY_PARENS', pos: 0, len: 2, message: 'empty parentheses (put a condition inside, or remove them)' },
  { text: 'TOS=1 && ( )', code: 'EMPTY_PARENS', pos: 9, len: 3, message: 'empty parentheses (put a condition inside, or remove them)' },
  { text: 'SRVPORT=22 &&', code: 'DANGLING_OPERATOR', pos: 11, len: 2, message: "'&&' needs a condition on its right" },
  { text: '|| SRVPORT=22', code: 'DANGLING_OPERATOR', pos: 0, len: 2, message: "'||' needs a condition on its left" },
  { text: 'SRVPORT=22 && || PROTO=TCP', code: 'DANGLING_OPERATOR', pos: 11, len: 2, message: "'&&' needs a condition on its right" },
  { text: '(SRVPORT=22 ^^)', code: 'DANGLING_OPERATOR', pos: 12, len: 2, message: "'^^' needs a condition on its right" },
  { text: 'SRVPORT=22 && !', code: 'DANGLING_OPERATOR', pos: 14, len: 1, message: "'!' needs a condition after it" },
  { text: '(!)', code: 'DANGLING_OPERATOR', pos: 1, len: 1, message: "'!' needs a condition after it" },
  { text: 'SRVPORT=22 xyz', code: 'TRAILING_GARBAGE', pos: 11, len: 3, message: "unexpected 'xyz' after a complete condition" },
  { text: 'SRVPORT=22 PROTO=TCP', code: 'TRAILING_GARBAGE', pos: 11, len: 5, message: "unexpected 'PROTO' after a complete condition (missing && or || before it?)" },
  { text: 'SRVPORT=22 or PROTO=TCP', code: 'TRAILING_GARBAGE', pos: 11, len: 2, message: "unexpected 'or' after a complete condition (use || for or)" },
  { text: 'SRVIP=1.2.3.4 /24', code: 'TRAILING_GARBAGE', pos: 14, len: 3, message: "unexpected '/24' after a complete condition" },
  { text: '(SRVPORT=22 xyz)', code: 'TRAILING_GARBAGE', pos: 12, len: 3, message: "unexpected 'xyz' inside parentheses" },
  { text: 'SRVPORT=22 & PROTO=TCP', code: 'SINGLE_OPERATOR', pos: 11, len: 1, message: "single '&' is not an operator (use && for and)" },
  { text: 'SRVPORT=22 | PROTO=TCP', code: 'SINGLE_OPERATOR', pos: 11, len: 1, message: "single '|' is not an operator (use || for or)" },
  { text: 'SRVPORT=22 ^ PROTO=TCP', code: 'SINGLE_OPERATOR', pos: 11, len: 1, message: "single '^' is not an operator (use ^^ for exclusive or)" },
  { text: 'SRVPORT=22 &&& PROTO=TCP', code: 'SINGLE_OPERATOR', pos: 13, len: 1, message: "single '&' is not an operator (use && for and)" },
  { text: `${'('.repeat(101)}TOS=1${')'.repeat(101)}`, code: 'TOO_DEEP', pos: 100, len: 1, message: "parentheses and '!' nest deeper than 100 levels" },
  { text: `${'!'.repeat(150)}TOS=1`, code: 'TOO_DEEP', pos: 100, len: 1, message: "parentheses and '!' nest deeper than 100 levels" },
];

t.test('errors: code, position and message', async (t) => {
  for (const c of ERROR_CASES) {
    const e = errorOf(c.text);
    t.same({ code: e.code, pos: e.pos, len: e.len, message: e.message }, { code: c.code, pos: c.pos, len: c.len, message: c.message }, c.text);
    t.equal(e.name, 'FilterError');
  }
  t.ok(errorOf('SRVPORT=80,').hint === undefined && errorOf('SRCIP=1.2.3.4').hint === 'did you mean CLNIP or SRVIP?', 'hint kept apart from the reason');
  t.equal(errorOf('SRCIP=1.2.3.4').reason, "unknown field 'SRCIP'");
});

t.test('nesting up to the limit is fine', async (t) => {
  t.equal(parseFilter(`${'('.repeat(100)}TOS=1${')'.repeat(100)}`).type, 'cmp');
  const long = Array.from({ length: 20000 }, (_, i) => `TOS=${i % 256}`).join(' || ');
  t.equal(parseFilter(long).type, 'or', 'long chains need no deep recursion');
});

t.test('formatFilterError', async (t) => {
  const show = (text: string): string => formatFilterError(errorOf(text), text, 'ftsq');
  t.equal(
    show('SRCIP=10.0.0.1 && PROTO=TCP'),
    "ftsq: bad filter: unknown field 'SRCIP' (did you mean CLNIP or SRVIP?)\n  SRCIP=10.0.0.1 && PROTO=TCP\n  ^^^^^",
    'the filter.md example, exactly',
  );
  t.equal(show('SRVPORT='), "ftsq: bad filter: missing value after 'SRVPORT=' (e.g. SRVPORT=100)\n  SRVPORT=\n          ^", 'caret past the end');
  t.equal(show('SRVIP>1.2.3.4'), "ftsq: bad filter: SRVIP does not take '>' (SRVIP takes = or !=)\n  SRVIP>1.2.3.4\n       ^");
  t.equal(
    formatFilterError(errorOf('TOS=1\t&&\nXX=1'), 'TOS=1\t&&\nXX=1', 'ftstat'),
    "ftstat: bad filter: unknown field 'XX'\n  TOS=1 && XX=1\n           ^^",
    'tabs and newlines shown as spaces keep the caret aligned',
  );
  t.equal(show('CLNCC=\u{1F642} && TOS=1'), "ftsq: bad filter: CLNCC needs a two-letter country code, not '\u{1F642}' (e.g. US or NL; -- for unknown)\n  CLNCC=\u{1F642} && TOS=1\n        ^");
  t.equal(show('TOS=1 && CLNCC=\u{1F642}\u{1F642}x'), "ftsq: bad filter: CLNCC needs a two-letter country code, not '\u{1F642}\u{1F642}x' (e.g. US or NL; -- for unknown)\n  TOS=1 && CLNCC=\u{1F642}\u{1F642}x\n                 ^^^", 'caret counts characters, not UTF-16 units');

  const terms = Array.from({ length: 40 }, (_, i) => `TOS=${i}`);
  const long = [...terms, 'BOGUS=1', ...terms].join(' || ');
  const lines = show(long).split('\n');
  t.equal(lines.length, 3);
  t.ok(lines[1]!.startsWith('  ...') && lines[1]!.endsWith('...'), 'a long filter is cut around the error');
  t.ok(lines[1]!.length <= 2 + 3 + 100 + 3, 'the excerpt stays short');
  const caret = lines[2]!.indexOf('^');
  t.equal(lines[1]!.slice(caret, caret + 5), 'BOGUS', 'the caret is under the error in the excerpt');
  t.equal(lines[2]!.slice(caret), '^^^^^');
  const atEnd = `${terms.join(' || ')} &&`;
  const endLines = show(atEnd).split('\n');
  const c2 = endLines[2]!.indexOf('^');
  t.equal(endLines[1]!.slice(c2), '&&', 'an error at the very end of a long filter');
});

t.test('filterToString writes canonical text that parses back to the same filter', async (t) => {
  const canon: [string, string][] = [
    ['', ''],
    ['srvport == 22', 'SRVPORT=22'],
    ['PROTO=6', 'PROTO=TCP'],
    ['proto = 1 , udp , 7', 'PROTO=ICMP,UDP,7'],
    ['PORT = 22 , 1000 - 2000', 'PORT=22,1000-2000'],
    ['SRVIP=10.0.0.1/8', 'SRVIP=10.0.0.0/8'],
    ['ADDR=::ffff:10.0.0.1/120', 'ADDR=10.0.0.0/24'],
    ['ADDR=FED9:00C0:0:0:0:0:0:0/32', 'ADDR=fed9:c0::/32'],
    ['ADDR=0.0.0.0/0 || ADDR=::/0', 'ADDR=0.0.0.0/0 || ADDR=::/0'],
    ['CLNIP=1.2.3.4/32', 'CLNIP=1.2.3.4'],
    ['CLNCC=nl,--', 'CLNCC=NL,--'],
    ['MAC=AABB.CCDD.EEFF', 'MAC=aa:bb:cc:dd:ee:ff'],
    ['TTIME>0.0000001', 'TTIME>1e-7'],
    ['TTIME<=.5', 'TTIME<=0.5'],
    ['flags=fsyn && !(FLAGS=FACK)', 'FLAGS=FSYN && !FLAGS=FACK'],
    ['(TOS=1 || TOS=2) && TOS=3', '(TOS=1 || TOS=2) && TOS=3'],
    ['TOS=1 || (TOS=2 && TOS=3)', 'TOS=1 || TOS=2 && TOS=3'],
    ['TOS=1 || (TOS=2 || TOS=3)', 'TOS=1 || (TOS=2 || TOS=3)'],
    ['(TOS=1 || TOS=2) || TOS=3', 'TOS=1 || TOS=2 || TOS=3'],
    ['(TOS=1 ^^ TOS=2) || TOS=3', 'TOS=1 ^^ TOS=2 || TOS=3'],
    ['TOS=1 ^^ (TOS=2 || TOS=3)', 'TOS=1 ^^ (TOS=2 || TOS=3)'],
    ['!(TOS=1 && TOS=2)', '!(TOS=1 && TOS=2)'],
    ['!!TOS=1', '!!TOS=1'],
  ];
  for (const [input, expected] of canon) {
    const ast = parseFilter(input);
    const text = filterToString(ast);
    t.equal(text, expected, input);
    t.same(strip(parseFilter(text)), strip(ast), `${input} round trip`);
  }
  t.throws(() => filterToString({ type: 'not', operand: { type: 'all' } }), /whole filter/);
});

t.test('restrictToSide and mentionsField', async (t) => {
  const text = 'ADDR=10.0.0.0/8 && !(ADDR!=192.168.0.1 || PORT=22) ^^ SRVIP=1.2.3.4';
  const f = parseFilter(text);
  t.same(strip(restrictToSide(f, 'ADDR', 'client')), strip(parseFilter('CLNIP=10.0.0.0/8 && !(CLNIP!=192.168.0.1 || PORT=22) ^^ SRVIP=1.2.3.4')));
  t.same(strip(restrictToSide(f, 'addr', 'server')), strip(parseFilter('SRVIP=10.0.0.0/8 && !(SRVIP!=192.168.0.1 || PORT=22) ^^ SRVIP=1.2.3.4')));
  t.same(strip(restrictToSide(f, 'PORT', 'server')), strip(parseFilter('ADDR=10.0.0.0/8 && !(ADDR!=192.168.0.1 || SRVPORT=22) ^^ SRVIP=1.2.3.4')));
  t.same(strip(restrictToSide(parseFilter('IFACE=3 || VLAN>5 || ASN=32934 || MAC=00:00:00:00:00:01 || PACKETS<3 || BYTES=7'), 'IFACE', 'server')), strip(parseFilter('OUTIF=3 || VLAN>5 || ASN=32934 || MAC=00:00:00:00:00:01 || PACKETS<3 || BYTES=7')));
  t.equal(restrictToSide(f, 'ASN', 'client'), f, 'a filter without the field comes back unchanged');
  const all = parseFilter('');
  t.equal(restrictToSide(all, 'ADDR', 'client'), all);
  t.throws(() => restrictToSide(f, 'SRVIP', 'client'), /not an either field/);
  t.throws(() => restrictToSide(f, 'NOPE', 'client'), /not an either field/);
  const r = restrictToSide(f, 'ADDR', 'client');
  t.same(r.type === 'xor' && r.span, { pos: 0, len: text.length }, 'spans survive');

  t.ok(mentionsField(f, 'PORT'));
  t.ok(mentionsField(f, 'srvip'));
  t.notOk(mentionsField(f, 'CLNIP'));
  t.notOk(mentionsField(all, 'ADDR'));
  const deep = parseFilter(Array.from({ length: 20000 }, (_, i) => `TOS=${i % 256}`).join(' && ') + ' && ASN=1');
  t.ok(mentionsField(deep, 'ASN'), 'works on long chains');
  const deepClient = restrictToSide(deep, 'ASN', 'client');
  t.ok(mentionsField(deepClient, 'CLNAS') && !mentionsField(deepClient, 'ASN'), 'restricts long chains');
});

t.test('docs/filter.md names every filter field and every error code', async (t) => {
  const doc = readFileSync(new URL('../../../../docs/filter.md', import.meta.url), 'utf8');
  for (const f of FILTER_FIELDS) t.ok(doc.includes(`\`${f.name}\``), `${f.name} documented`);
  for (const c of new Set(ERROR_CASES.map((e) => e.code))) t.ok(doc.includes(`\`${c}\``), `${c} documented`);
});
