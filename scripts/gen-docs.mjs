// Regenerates the documentation that is derived from code (docs/fields.md, docs/config.md).
import { writeFileSync } from 'node:fs';
import { renderConfigDoc, renderFieldsDoc } from '@opentraq/core';

writeFileSync(new URL('../docs/fields.md', import.meta.url), renderFieldsDoc());
console.log('wrote docs/fields.md');
writeFileSync(new URL('../docs/config.md', import.meta.url), renderConfigDoc());
console.log('wrote docs/config.md');
