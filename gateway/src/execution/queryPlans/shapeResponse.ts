import {
  assert,
  ERRORS,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  Variable,
  type CompositeType,
  type NamedType,
  type NullableType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
import { UnsupportedPlan } from './UnsupportedPlan.js';

/** An object of the merged answer, or of the shaped one; both are prototype-free records. */
export type ResponseObject = Record<string, unknown>;
type Path = (string | number)[];
type Variables = Readonly<Record<string, unknown>>;

/** What one shaping pass shares: the variables it is run with, the errors it finds, and the flags of the value it last shaped. */
interface Shaping {
  readonly variables: Variables;
  readonly errors: GraphQLError[];
  /** The last value was null where null is not allowed, so its parent must be nulled too. */
  invalid: boolean;
  /** The last value was nulled with an error already reported. */
  hasErrors: boolean;
}

/** Fills `output` from `input` for one selection set; true when a null must bubble up to the parent. */
type SelectionsShaper = (input: ResponseObject, output: ResponseObject, path: Path, shaping: Shaping, parentType: CompositeType) => boolean;
/** Shapes one value into what is already in the answer at its place, setting the shaping's flags. */
type ValueShaper = (outputValue: unknown, inputValue: unknown, path: Path, shaping: Shaping, parentType: CompositeType) => unknown;

export interface ShapedResponse {
  readonly data: ResponseObject | null;
  readonly errors: GraphQLError[];
}

/** Shapes the merged answer of a query plan into the client's answer. */
export type ResponseShaper = (merged: ResponseObject, variables: Variables | undefined) => ShapedResponse;

/**
 * Compiles an operation into the function that turns the merged subgraph
 * answers into the client's answer: only selected fields, in the operation's
 * order, aliases and `@skip`/`@include` applied, nulls propagated to the
 * nearest nullable parent. It does what @apollo/gateway's `computeResponse`
 * does for every request, with every decision that depends on the operation
 * alone (types, response names, directives, type conditions) taken once here.
 * Errors and their messages are the same, so both executors answer alike.
 */
export function compileResponseShaper(operation: Operation): ResponseShaper {
  const schema = operation.schema();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind);
  if (rootType === undefined) throw new UnsupportedPlan('unknown_root_type');
  const shapeRoot = compileSelections(schema, operation.selectionSet);
  const defaults = operation.collectDefaultedVariableValues();
  return (merged, variables) => {
    const shaping: Shaping = { variables: { __proto__: null, ...defaults, ...variables }, errors: [], invalid: false, hasErrors: false };
    const data = Object.create(null) as ResponseObject;
    const bubbled = shapeRoot(merged, data, [], shaping, rootType);
    return { data: bubbled ? null : data, errors: shaping.errors };
  };
}

function compileSelections(schema: Schema, selectionSet: SelectionSet): SelectionsShaper {
  const steps: SelectionsShaper[] = [];
  for (const selection of selectionSet.selections()) {
    const element = selection.element;
    const skipped = compileSkip(element.appliedDirectivesOf(schema.skipDirective().name)[0], element.appliedDirectivesOf(schema.includeDirective().name)[0]);
    let step: SelectionsShaper;
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      if (field.definition.isSchemaIntrospectionField()) throw new UnsupportedPlan('introspection');
      const responseName = field.responseName();
      if (field.name === '__typename') {
        step = typenameStep(schema, responseName);
      } else {
        const fieldType = field.definition.type;
        if (fieldType === undefined) throw new UnsupportedPlan('unknown_node');
        const shapeValue = compileValue(
          schema,
          fieldType,
          selection.selectionSet === undefined ? undefined : compileSelections(schema, selection.selectionSet),
        );
        step = (input, output, path, shaping, parentType) => {
          const inputValue = Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined;
          path.push(responseName);
          output[responseName] = shapeValue(output[responseName], inputValue ?? null, path, shaping, parentType);
          path.pop();
          return shaping.invalid;
        };
      }
    } else {
      step = fragmentStep(schema, selection.element.typeCondition, compileSelections(schema, selection.selectionSet));
    }
    steps.push(
      skipped === undefined
        ? step
        : (input, output, path, shaping, parentType) => (skipped(shaping.variables) ? false : step(input, output, path, shaping, parentType)),
    );
  }
  return (input, output, path, shaping, parentType) => {
    for (const step of steps) if (step(input, output, path, shaping, parentType)) return true;
    return false;
  };
}

function typenameStep(schema: Schema, responseName: string): SelectionsShaper {
  return (input, output, _path, _shaping, parentType) => {
    if (output[responseName] !== undefined) return false;
    let inputValue = (Object.prototype.hasOwnProperty.call(input, responseName) ? input[responseName] : undefined) ?? null;
    if (inputValue === null && responseName !== '__typename') inputValue = input['__typename'] ?? null;
    const type = typeof inputValue === 'string' ? (schema.type(inputValue) ?? parentType) : parentType;
    if (!isObjectType(type)) return true;
    output[responseName] = type.name;
    return false;
  };
}

function fragmentStep(schema: Schema, typeCondition: CompositeType | undefined, shapeSelections: SelectionsShaper): SelectionsShaper {
  if (typeCondition === undefined) return shapeSelections;
  // Whether the condition holds depends only on a type name, and a schema has few.
  const appliesTo = new Map<string, boolean>();
  const applies = (name: string, type: () => NamedType | undefined): boolean => {
    let known = appliesTo.get(name);
    if (known === undefined) {
      const resolved = type();
      known = resolved !== undefined && isSubtype(typeCondition, resolved);
      appliesTo.set(name, known);
    }
    return known;
  };
  return (input, output, path, shaping, parentType) => {
    const typename = input['__typename'];
    assert(!typename || typeof typename === 'string', () => `Got unexpected value for __typename: ${String(typename)}`);
    const holds =
      typeof typename === 'string' && typename !== '' ? applies(`=${typename}`, () => schema.type(typename)) : applies(`<${parentType.name}`, () => parentType);
    return holds ? shapeSelections(input, output, path, shaping, typeCondition) : false;
  };
}

/** An applied `@skip` or `@include`. */
interface AppliedCondition {
  arguments(): Readonly<Record<string, unknown>>;
  toString(): string;
}

/** A predicate telling, from the variables, whether `@skip`/`@include` leave a selection out; undefined when neither is there. */
function compileSkip(skip: AppliedCondition | undefined, include: AppliedCondition | undefined): ((variables: Variables) => boolean) | undefined {
  if (skip === undefined && include === undefined) return undefined;
  const skipIf = skip === undefined ? undefined : conditionOf(skip);
  const includeIf = include === undefined ? undefined : conditionOf(include);
  return (variables) => skipIf?.(variables) === true || (includeIf !== undefined && !includeIf(variables));
}

function conditionOf(directive: AppliedCondition): (variables: Variables) => boolean {
  const condition = directive.arguments()['if'];
  if (condition instanceof Variable) {
    return (variables) => {
      const value = variables[condition.name];
      assert(
        value !== undefined && typeof value === 'boolean',
        () => `Unexpected value ${String(value)} for variable ${condition.toString()} of ${directive.toString()}`,
      );
      return value;
    };
  }
  const constant = condition === true;
  return () => constant;
}

function compileValue(schema: Schema, type: Type, shapeSelections: SelectionsShaper | undefined): ValueShaper {
  const hasSelections = shapeSelections !== undefined;
  if (isNonNullType(type)) {
    // federation-internals types a narrowed wrapper's ofType as any.
    const ofType = type.ofType as NullableType;
    const shapeInner = compileValue(schema, ofType, shapeSelections);
    return (outputValue, inputValue, path, shaping, parentType) => {
      if (outputValue === null || (outputValue !== undefined && !hasSelections)) return kept(outputValue, shaping);
      const updated = shapeInner(outputValue, inputValue, path, shaping, parentType);
      if (updated === null) {
        if (!shaping.hasErrors)
          shaping.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describe(path, ofType, parentType)}.`, { path: Array.from(path) }),
          );
        shaping.invalid = true;
        shaping.hasErrors = true;
        return null;
      }
      return kept(updated, shaping);
    };
  }
  if (isListType(type)) {
    const shapeElement = compileValue(schema, type.ofType as Type, shapeSelections);
    return (outputValue, inputValue, path, shaping, parentType) => {
      if (outputValue === null || (outputValue !== undefined && !hasSelections)) return kept(outputValue, shaping);
      if (inputValue === null) return kept(null, shaping);
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- stock's message, which prints the value as it is
      assert(Array.isArray(inputValue), () => `Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${type.toString()}`);
      assert(
        outputValue === undefined || Array.isArray(outputValue),
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- stock's message, which prints the value as it is
        () => `Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${type.toString()}`,
      );
      const existing = outputValue as unknown[] | undefined;
      const length = inputValue.length;
      assert(
        existing === undefined || existing.length === length,
        () => `[${String(inputValue)}].length (${length}) !== [${String(existing)}].length (${String(existing?.length)})`,
      );
      const updated = new Array<unknown>(length);
      let nullify = false;
      let hasErrors = false;
      for (let index = 0; index < length; index += 1) {
        path.push(index);
        updated[index] = shapeElement(existing === undefined ? undefined : existing[index], inputValue[index], path, shaping, parentType);
        path.pop();
        nullify ||= shaping.invalid;
        hasErrors ||= shaping.hasErrors;
      }
      shaping.invalid = false;
      shaping.hasErrors = hasErrors;
      return nullify ? null : updated;
    };
  }
  if (isCompositeType(type)) {
    return (outputValue, inputValue, path, shaping, parentType) => {
      if (outputValue === null || (outputValue !== undefined && !hasSelections)) return kept(outputValue, shaping);
      if (inputValue === null) return kept(null, shaping);
      assert(shapeSelections, () => `Invalid empty selection set for composite type ${type.toString()}`);
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- stock's message, which prints the value as it is
      assert(typeof inputValue === 'object', () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.toString()}`);
      assert(
        outputValue === undefined || typeof outputValue === 'object',
        // eslint-disable-next-line @typescript-eslint/no-base-to-string -- stock's message, which prints the value as it is
        () => `Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${type.toString()}`,
      );
      const input = inputValue as ResponseObject;
      const inputTypename = input['__typename'];
      assert(
        inputTypename === undefined || typeof inputTypename === 'string',
        () => `Invalid non-string value ${String(inputTypename)} for __typename at ${path.join(',')}`,
      );
      let objectType: CompositeType = type;
      if (inputTypename) {
        const named = schema.type(inputTypename);
        if (named === undefined || !isCompositeType(named)) {
          shaping.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describe(path, type, parentType)}.`, { path: Array.from(path) }),
          );
          shaping.invalid = false;
          shaping.hasErrors = true;
          return null;
        }
        objectType = named;
      }
      const output = (outputValue ?? Object.create(null)) as ResponseObject;
      const bubbled = shapeSelections(input, output, path, shaping, objectType);
      shaping.invalid = false;
      shaping.hasErrors = bubbled;
      return bubbled ? null : output;
    };
  }
  if (type.kind !== 'ScalarType' && type.kind !== 'EnumType') throw new UnsupportedPlan('unknown_node');
  const leafType = type;
  // Custom scalars take any value, and a string is always valid for String and ID: the common cases skip the general check.
  const anyString = leafType === schema.stringType() || leafType === schema.idType();
  const anyValue = type.kind === 'ScalarType' && !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(leafType.name);
  return (outputValue, inputValue, path, shaping, parentType) => {
    if (outputValue === null || (outputValue !== undefined && !hasSelections)) return kept(outputValue, shaping);
    if (inputValue === null) return kept(null, shaping);
    assert(outputValue === undefined, () => `Excepted output to be undefined but got ${leafType.toString()} for type ${leafType.toString()}`);
    const valid = anyValue || (anyString && typeof inputValue === 'string') || isValidLeafValue(schema, inputValue, leafType);
    if (!valid) shaping.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describe(path, leafType, parentType)}.`, { path: Array.from(path) }));
    shaping.invalid = false;
    shaping.hasErrors = !valid;
    return valid ? inputValue : null;
  };
}

function kept(value: unknown, shaping: Shaping): unknown {
  shaping.invalid = false;
  shaping.hasErrors = false;
  return value;
}

function describe(path: Path, currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  return typeof element === 'string' ? `field ${parentType.name}.${element}` : `array element of type ${currentType.toString()} at index ${String(element)}`;
}
