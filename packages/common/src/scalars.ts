import { DateResolver, DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { DivisionCodeScalar } from './division-code.ts';

/** Resolvers for the scalars of shared.graphql; every subgraph installs them. */
export const scalarResolvers = {
  DivisionCode: DivisionCodeScalar,
  SafeInt: SafeIntResolver,
  Date: DateResolver,
  DateTime: DateTimeResolver,
};
