import type { ObjectSource } from './position';

/**
 * Severity of a validation finding:
 * - `error`: the cluster would reject the object, or the traffic would fail or leave unprotected;
 * - `warning`: a probable problem (Istio's own warnings, unpinned images, insecure TLS);
 * - `note`: information, or a check that could not be made because what it needs is not in the input
 *   (deployed elsewhere, installed out of band, a namespace the input does not describe). Notes never fail a run.
 */
export type Severity = 'error' | 'warning' | 'note';

/** The object a finding is about. */
export interface FindingObject {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The cdk8s construct path of the object, when known. */
  readonly constructPath?: string;
  /** The file the object was read from, when it came from a file. */
  readonly file?: string;
  /** Line (1-based) of the object's first character in `file`, when it came from a file. */
  readonly line?: number;
  /** Column (1-based, UTF-16 code units) of the object's first character in `file`, when it came from a file. */
  readonly column?: number;
}

/** One problem found in the manifests. */
export interface Finding {
  /** Rule identifier, e.g. `schema/unknown-field` (see RULES). */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly object: FindingObject;
  /** JSON path inside the object, e.g. `spec.trafficPolicy.portLevelSettings[0].tls.mode`. */
  readonly field: string;
  /**
   * Line (1-based) in `object.file` of the field (its key, or its deepest ancestor written in the file), else of
   * the object; only for objects read from a file.
   */
  readonly line?: number;
  /** Column (1-based, UTF-16 code units) that goes with `line`. */
  readonly column?: number;
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Result of a validation run. */
export interface ValidationReport {
  readonly findings: Finding[];
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** Findings of severity `note`: what could not be checked, and information. */
  readonly notes: Finding[];
  /** true when there are no errors (warnings and notes allowed). */
  readonly ok: boolean;
}

/** Options of validateManifests / validateDirectory. */
export interface ValidateOptions {
  /**
   * Rule ids (or prefixes ending in `/`, e.g. `wiring/`) whose errors are reported as warnings
   * for the whole run. Per object, use the annotation `validation.cdk8s-istio-egress.io/warn`.
   */
  readonly downgrade?: string[];
  /** Construct paths of objects, by object identity or computed by a function. */
  readonly constructPaths?: Map<object, string> | ((obj: any) => string | undefined);
  /** Files the objects came from, by object identity (filled by validateDirectory). */
  readonly files?: Map<object, string>;
  /** Where the objects are in their files, by object identity (filled by validateDirectory; `readManifests(...).sources`). */
  readonly sources?: Map<object, ObjectSource>;
  /** Namespace assumed for namespaced objects without metadata.namespace (default `default`). */
  readonly defaultNamespace?: string;
  /**
   * The Istio release to validate for, `1.30` or `1.31` (a release line): its CRDs, the Gateway API version it is
   * built against, its webhook rules and analyzers. Any other value throws, naming the supported releases.
   * @default '1.31' (the newest supported)
   */
  readonly istio?: string;
}
