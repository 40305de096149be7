import { describe, expect, it } from 'vitest';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { asksFor } from './selection.ts';

/** The info a resolver of the document's first root field is given: its nodes and the document's fragments. */
function infoOf(document: string) {
  const parsed = parse(document);
  const operation = parsed.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
  const field = operation.selectionSet.selections[0]!;
  if (field.kind !== Kind.FIELD) throw new Error('the first selection is not a field');
  const fragments = Object.fromEntries(
    parsed.definitions
      .filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION)
      .map((fragment) => [fragment.name.value, fragment]),
  );
  return { fieldNodes: [field], fragments };
}

describe('asksFor', () => {
  it('finds a field asked of a root field, aliased or not, and not one asked deeper down', () => {
    expect(asksFor(infoOf(`{ project(id: "a") { id money: received { yuan } } }`), 'Project', ['received', 'spent'])).toBe(true);
    expect(asksFor(infoOf(`{ project(id: "a") { id county { received: code } } }`), 'Project', ['received'])).toBe(false);
    expect(asksFor(infoOf(`{ project(id: "a") { id } }`), 'Project', ['received'])).toBe(false);
  });

  it("finds it in the gateway's fragments on the entity's type, and not in those on another type", () => {
    const entities = (on: string) => `query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on ${on} { spent { fen } } } }`;
    expect(asksFor(infoOf(entities('Project')), 'Project', ['received', 'spent'])).toBe(true);
    expect(asksFor(infoOf(entities('County')), 'Project', ['received', 'spent'])).toBe(false);
  });

  it('answers each type and list of fields apart for the same nodes, asked again and again', () => {
    const info = infoOf(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Project { spent { fen } } } }`);
    for (let time = 0; time < 2; time++) {
      expect(asksFor(info, 'Project', ['spent'])).toBe(true);
      expect(asksFor(info, 'County', ['spent'])).toBe(false);
      expect(asksFor(info, 'Project', ['received'])).toBe(false);
    }
  });

  it('finds it through named fragments, nested in inline ones, and stops at a fragment seen before', () => {
    const named = `{ project(id: "a") { ...A } } fragment A on Project { id ... { ...B } } fragment B on Project { ...A received { yuan } }`;
    expect(asksFor(infoOf(named), 'Project', ['received'])).toBe(true);
    const elsewhere = `{ project(id: "a") { ...C } } fragment C on County { received }`;
    expect(asksFor(infoOf(elsewhere), 'Project', ['received'])).toBe(false);
  });
});
