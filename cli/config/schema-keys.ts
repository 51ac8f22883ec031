import { z } from 'zod';
import { alternativeShapes, protectionRulesSchema } from '../../config/schema';

/** The schemas a value at this place may be checked against, wrappers (defaults, optionals) taken off. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) return unwrap(schema.unwrap() as z.ZodType);
  const shapes = alternativeShapes.get(schema);
  return shapes === undefined ? [schema] : [...shapes];
}

function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  const here = unwrap(schema);
  if (path.length === 0) return here;
  const [head, ...rest] = path;
  return here.flatMap((candidate) => {
    if (typeof head === 'number' && candidate instanceof z.ZodArray) return schemasAt(candidate.element as z.ZodType, rest);
    if (typeof head === 'string' && candidate instanceof z.ZodObject) {
      const child = (candidate.shape as Record<string, z.ZodType | undefined>)[head];
      return child === undefined ? [] : schemasAt(child, rest);
    }
    return [];
  });
}

/**
 * The keys an object at `path` of a protection rules file may hold, read from the rules schema
 * itself (so a new key is known here the day it is added). Empty when no object belongs there.
 */
export function knownKeysAt(path: readonly PropertyKey[], schema: z.ZodType = protectionRulesSchema): string[] {
  const keys = schemasAt(schema, path).flatMap((candidate) => (candidate instanceof z.ZodObject ? Object.keys(candidate.shape) : []));
  return [...new Set(keys)];
}
