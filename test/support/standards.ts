import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { validateXML } from 'xmllint-wasm';

/**
 * Validation against the standards' own schemas, vendored in test/fixtures/standards/: the
 * IATI 2.03 activity XSD through xmllint (libxml2 compiled to WebAssembly, installed by npm),
 * the 360Giving 1.4 package JSON Schema (draft 2020-12) through ajv.
 */
const STANDARDS = fileURLToPath(new URL('../fixtures/standards/', import.meta.url));
const read = (path: string) => readFileSync(`${STANDARDS}${path}`, 'utf8');

export interface Validation {
  valid: boolean;
  errors: string[];
}

export async function validateIati(xml: string): Promise<Validation> {
  const result = await validateXML({
    xml: { fileName: 'activities.xml', contents: xml },
    schema: { fileName: 'iati-activities-schema.xsd', contents: read('iati-2.03/iati-activities-schema.xsd') },
    preload: [
      { fileName: 'iati-common.xsd', contents: read('iati-2.03/iati-common.xsd') },
      { fileName: 'xml.xsd', contents: read('iati-2.03/xml.xsd') },
    ],
    // A file of thousands of activities needs more than the default 32 MiB.
    maxMemoryPages: 16_384,
  });
  return { valid: result.valid, errors: result.errors.map((error) => error.rawMessage) };
}

const GRANT_SCHEMA_ADDRESS = 'https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json';

let packageValidator: ValidateFunction | undefined;

/**
 * A schema, its `$schema` spelt as ajv knows draft 2020-12: the 360Giving files write the
 * draft's address with http:, its canonical form has https:. Nothing else is changed.
 */
function draft2020(text: string): Record<string, unknown> {
  const schema = JSON.parse(text) as Record<string, unknown>;
  if (schema.$schema === 'http://json-schema.org/draft/2020-12/schema') schema.$schema = 'https://json-schema.org/draft/2020-12/schema';
  return schema;
}

export function validate360Giving(pkg: unknown): Validation {
  if (!packageValidator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    // ajv-formats is CommonJS: its plugin is the module itself, and its `default` too.
    formats.default(ajv);
    const grantSchema = draft2020(read('360giving-1.4/360-giving-schema.json'));
    // The package schema names the grant schema by its 1.4.2 address.
    ajv.addSchema({ ...grantSchema, $id: GRANT_SCHEMA_ADDRESS });
    packageValidator = ajv.compile(draft2020(read('360giving-1.4/360-giving-package-schema.json')));
  }
  const valid = packageValidator(pkg);
  return { valid, errors: (packageValidator.errors ?? []).map((error: ErrorObject) => `${error.instancePath} ${error.message}`) };
}
