// Named imports: ajv is CommonJS with `exports.default`, so under NodeNext a default import is
// the module object, not the class. The named exports are the classes themselves.
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * ajv and its meta-schemas (~130 KB): loaded through engine.ts only when a JSON
 * Schema is read, so a run without one does not pay for them at start.
 */

export type Draft = 'draft-07' | '2019-09' | '2020-12';
export type AnyAjv = Ajv | Ajv2019 | Ajv2020;

export function newAjv(draft: Draft): AnyAjv {
  // strict: false so vendor keywords and annotations (x-*, examples, format names) are accepted,
  // as model providers accept them; meta-schema validation still rejects real mistakes.
  // validateFormats: false because ajv-formats is not a dependency; unknown formats would
  // otherwise log a warning per compile. In 2019-09/2020-12, format is an annotation by default.
  // A fresh instance per schema: ajv registers schemas by $id, and two prompts may share one.
  const options = { allErrors: true, strict: false, validateFormats: false, logger: false } as const;
  if (draft === '2020-12') return new Ajv2020(options);
  if (draft === '2019-09') return new Ajv2019(options);
  return new Ajv(options);
}
