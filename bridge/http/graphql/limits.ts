// Limits on what one GraphQL request may ask, checked before anything runs: document size,
// token count (graphql-js stops parsing past it), selection depth and the number of fields
// once fragments are expanded (so aliases and fragment fan-out cannot multiply the work).
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export const MAX_DOCUMENT_CHARS = 20_000;
export const MAX_TOKENS = 4_000;
/** Deep enough for the standard introspection query (its type references nest 9 levels). */
export const MAX_DEPTH = 15;
export const MAX_FIELDS = 1_000;

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  fields: number;
  depth: number;
}

function walk(set: SelectionSetNode, depth: number, w: Walk, visiting: Set<string>): void {
  for (const sel of set.selections) {
    if (w.fields > MAX_FIELDS) return; // over budget: stop, so fan-out cannot cost time here either
    if (sel.kind === Kind.FIELD) {
      w.fields++;
      w.depth = Math.max(w.depth, depth);
      if (sel.selectionSet) walk(sel.selectionSet, depth + 1, w, visiting);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      walk(sel.selectionSet, depth, w, visiting);
    } else {
      const name = sel.name.value;
      const fragment = w.fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // unknown or cyclic: the standard rules report those
      visiting.add(name);
      walk(fragment.selectionSet, depth, w, visiting);
      visiting.delete(name);
    }
  }
}

/** The validation rule: one VALIDATION_ERROR per operation over the depth or field limit. */
export function operationLimits(context: ValidationContext): ASTVisitor {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return {
    OperationDefinition(node) {
      const w: Walk = { fragments, fields: 0, depth: 0 };
      walk(node.selectionSet, 1, w, new Set());
      const name = node.name ? `operation ${node.name.value}` : 'the operation';
      if (w.depth > MAX_DEPTH) {
        context.reportError(new GraphQLError(`${name} is nested ${w.depth} levels deep; at most ${MAX_DEPTH} are allowed`, { nodes: node, extensions: { code: 'VALIDATION_ERROR' } }));
      } else if (w.fields > MAX_FIELDS) {
        context.reportError(new GraphQLError(`${name} selects more than ${MAX_FIELDS} fields (fragments expanded); ask for less`, { nodes: node, extensions: { code: 'VALIDATION_ERROR' } }));
      }
    },
  };
}
