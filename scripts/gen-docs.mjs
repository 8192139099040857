// Regenerates the documentation that is derived from code (docs/fields.md).
import { writeFileSync } from 'node:fs';
import { renderFieldsDoc } from '@opentraq/core';

writeFileSync(new URL('../docs/fields.md', import.meta.url), renderFieldsDoc());
console.log('wrote docs/fields.md');
