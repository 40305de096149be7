import { DateResolver, DateTimeResolver, SafeIntResolver } from 'graphql-scalars';
import { DivisionCodeScalar } from './division-code.ts';
import { MoneyResolver } from './money.ts';

/** Resolvers for the scalars of shared.graphql; every subgraph installs them. */
export const scalarResolvers = {
  DivisionCode: DivisionCodeScalar,
  SafeInt: SafeIntResolver,
  Date: DateResolver,
  DateTime: DateTimeResolver,
};

/** Resolvers for the value types of shared.graphql; every subgraph installs them. */
export const valueTypeResolvers = {
  Money: MoneyResolver,
};
