/**
 * SMART-style scopes of API clients (pure): `patient/Observation.read`, `patient/*.read`, and the
 * SMART v2 spellings `.rs`/`.r`. A client reads only; `system/` scopes are read as `patient/`
 * ones, since a client sees only the patients it names anyway.
 */
const SCOPE = /^(patient|system)\/(\*|[A-Z][A-Za-z]+)\.(read|rs|r|s)$/;

/** The resource types an API client may be given. */
export const SCOPE_RESOURCES = ['Patient', 'Observation', 'Device'] as const;

export function isScope(s: string): boolean {
  const m = SCOPE.exec(s);
  return !!m && (m[2] === '*' || (SCOPE_RESOURCES as readonly string[]).includes(m[2]!));
}

export function scopeAllows(scopes: readonly string[], resourceType: string): boolean {
  return scopes.some((s) => {
    const m = SCOPE.exec(s);
    return !!m && (m[2] === '*' || m[2] === resourceType);
  });
}
