import type { ProviderShapesObserved } from '@tributary/contracts';
import { endpointKeyOf } from './observation.js';
import type { ShapeObservation, ShapeSurface } from './observation.js';

/**
 * An observation as the payload of `integrations.provider.shapes_observed` and back: epoch milliseconds for
 * dates, Avro nulls and empty lists for what a declaration leaves out. The one place both directions live,
 * so the sender (the service kit) and the reader (reconciliation) cannot drift apart.
 */
export function shapesObservedData(observation: ShapeObservation): ProviderShapesObserved {
  return {
    endpointKey: endpointKeyOf(observation),
    provider: observation.provider,
    surface: observation.surface,
    endpoint: observation.endpoint,
    observer: observation.observer,
    windowStart: observation.windowStart.getTime(),
    windowEnd: observation.windowEnd.getTime(),
    runs: observation.runs,
    shapes: observation.shapes,
    declaration: {
      enums: observation.declaration.enums ?? [],
      reliesOn: (observation.declaration.reliesOn ?? []).map((reliance) => ({
        path: reliance.path,
        values: reliance.values ?? null,
        usedBy: reliance.usedBy,
      })),
    },
  };
}

export function observationOf(data: ProviderShapesObserved): ShapeObservation {
  return {
    provider: data.provider,
    surface: data.surface as ShapeSurface,
    endpoint: data.endpoint,
    observer: data.observer,
    windowStart: new Date(data.windowStart),
    windowEnd: new Date(data.windowEnd),
    runs: data.runs,
    shapes: data.shapes.map((shape) => ({
      hash: shape.hash,
      status: shape.status ?? null,
      fields: shape.fields as ShapeObservation['shapes'][number]['fields'],
      enums: shape.enums,
      example: shape.example,
    })),
    declaration: {
      enums: data.declaration.enums ?? [],
      reliesOn: (data.declaration.reliesOn ?? []).map((reliance) => ({
        path: reliance.path,
        usedBy: reliance.usedBy,
        ...(reliance.values ? { values: reliance.values } : {}),
      })),
    },
  };
}
