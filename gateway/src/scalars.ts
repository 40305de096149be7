import type { ApolloGateway } from '@apollo/gateway';
import { scalarResolvers } from '@hub/common';
import { isScalarType, type GraphQLSchema } from 'graphql';

/**
 * In a supergraph every custom scalar is opaque: the gateway would accept "abc" as a
 * DivisionCode and leave the refusal to a subgraph, after planning and fetching. Giving the
 * gateway's own schema the scalars' parsers makes it refuse bad input at the edge, in
 * validation, before any subgraph is called. Results are not re-serialized here: the
 * subgraphs already serialized them.
 */
export function validateScalarsAtGateway(gateway: ApolloGateway): void {
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => installScalarParsers(apiSchema));
}

export function installScalarParsers(schema: GraphQLSchema): void {
  for (const [name, definition] of Object.entries(scalarResolvers)) {
    const type = schema.getType(name);
    if (!isScalarType(type)) continue;
    type.parseValue = definition.parseValue.bind(definition);
    type.parseLiteral = definition.parseLiteral.bind(definition);
  }
}

