/**
 * WasmPlugin (extensions.istio.io) as Istio 1.30.3 validates it: ValidateWasmPlugin (validateOneOfSelectorType,
 * validateWorkloadSelector, validatePolicyTargetReference(s), validateWasmPluginURL with strictParseURL,
 * validateWasmPluginSHA, validateWasmPluginImagePullSecret, validateWasmPluginName, validateWasmPluginVMConfig,
 * validateWasmPluginMatch). Istio 1.31 validates it the same.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage } from './common';
import { checkPolicySelector, checkPolicyTargets } from './policy-target';
import { defineRule } from '../rule';

export const WASM_PLUGIN = defineRule({
  id: 'istio/wasm-plugin',
  family: 'istio',
  severity: 'error',
  description: 'A WasmPlugin has no url or one of an unsupported scheme, a malformed sha256, an over-long name or pull secret, invalid vmConfig env or match ports.',
  source: 'Istio validation.go ValidateWasmPlugin, validateWasmPluginURL, validateWasmPluginSHA, validateWasmPluginVMConfig, validateWasmPluginMatch',
  details: 'ValidateWasmPlugin: url required, of scheme file, http, https or oci (or none: an OCI image reference), parsed as Go\'s url.ParseRequestURI does (approximated: control characters, bad escapes, a missing scheme); sha256 64 characters of [a-f0-9]; imagePullSecret at most 253 characters; pluginName at most 256; vmConfig env entries named (at most 256 characters), unique, and a value only with valueFrom INLINE; match ports 1..65535. The selector and targetRef(s) are istio/policy-selector and istio/policy-target-ref.',
});

const SCHEMES = new Set(['', 'file', 'http', 'https', 'oci']);
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Go's url.ParseRequestURI, for what decides Istio's answer: its error, or the scheme. */
function parseRequestUri(u: string): { scheme: string } | { error: string } {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(u)) return { error: `parse ${JSON.stringify(u)}: net/url: invalid control character in URL` };
  const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(u);
  if (bad) return { error: `parse ${JSON.stringify(u)}: invalid URL escape ${JSON.stringify(`%${bad[1]}`)}` };
  const m = SCHEME.exec(u);
  // a scheme followed by something else than "/" is an opaque URL: "localhost:5000/x" has the scheme "localhost"
  if (m) return { scheme: m[1].toLowerCase() };
  if (u.startsWith(':')) return { error: `parse ${JSON.stringify(u)}: missing protocol scheme` };
  if (u.startsWith('/')) return { scheme: '' };
  return { error: `parse ${JSON.stringify(u)}: invalid URI for request` };
}

/** validateWasmPluginURL: the error message, if any. */
export function wasmUrlError(url: unknown): string | undefined {
  if (typeof url !== 'string' || url === '') return 'url field needs to be set';
  let parsed = parseRequestUri(url);
  if ('error' in parsed) {
    const retry = parseRequestUri(`http://${url}`);
    if ('error' in retry) return `failed to parse url: ${parsed.error}`;
    parsed = retry;
  }
  return SCHEMES.has(parsed.scheme) ? undefined : `url contains unsupported scheme: ${parsed.scheme}`;
}

/** validateWasmPluginSHA */
export function sha256Error(sha: unknown): string | undefined {
  if (typeof sha !== 'string' || sha === '') return undefined;
  if (sha.length !== 64) return 'sha256 field must be 64 characters long';
  return /^[a-f0-9]{64}$/.test(sha) ? undefined : 'sha256 field must match [a-f0-9]{64} pattern';
}

/** validateWasmPluginVMConfig: the first problem, as Istio stops at it. */
export function vmConfigError(vm: unknown): string | undefined {
  if (!isMessage(vm) || !Array.isArray(vm.env)) return undefined;
  const keys = new Set<string>();
  for (const env of vm.env) {
    if (!isMessage(env)) continue;
    const name = typeof env.name === 'string' ? env.name : '';
    if (name === '') return 'spec.vmConfig.env invalid';
    if (name.length > 256) return 'env.name field must be less than 255 characters long';
    if (keys.has(name)) return 'duplicate env';
    keys.add(name);
    if ((env.valueFrom ?? 'INLINE') !== 'INLINE' && typeof env.value === 'string' && env.value !== '') return 'value may only be set when valueFrom is INLINE';
  }
  return undefined;
}

/** validateWasmPluginMatch (and validateTrafficExtensionMatch): the first problem. */
export function matchPortsError(match: unknown): string | undefined {
  if (!Array.isArray(match)) return undefined;
  for (let i = 0; i < match.length; i++) {
    const sel = match[i];
    if (sel === null || sel === undefined) return `spec.Match[${i}] is nil`;
    if (!isMessage(sel) || !Array.isArray(sel.ports)) continue;
    for (let j = 0; j < sel.ports.length; j++) {
      const port = sel.ports[j];
      if (port === null || port === undefined) return `spec.Match[${i}].Ports[${j}] is nil`;
      const n = isMessage(port) && typeof port.number === 'number' ? port.number : 0;
      if (n <= 0 || n > 65535) return `spec.Match[${i}].Ports[${j}] is out of range: ${n}`;
    }
  }
  return undefined;
}

/** ValidateWasmPlugin */
export function checkWasmPlugin(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  checkPolicyTargets(spec, r);
  checkPolicySelector(spec, 'selector', r);
  r.error(WASM_PLUGIN, 'spec.url', wasmUrlError(spec.url), 'Give the module\'s URL: oci://registry/image:tag, https://host/module.wasm or file:///path/module.wasm.');
  r.error(WASM_PLUGIN, 'spec.sha256', sha256Error(spec.sha256), 'Give the module\'s SHA-256 as 64 lower-case hex digits, or remove sha256.');
  if (typeof spec.imagePullSecret === 'string' && spec.imagePullSecret.length > 253) {
    r.error(WASM_PLUGIN, 'spec.imagePullSecret', 'imagePullSecret field must be less than 253 characters long', 'Name a Secret (a name of at most 253 characters).');
  }
  if (typeof spec.pluginName === 'string' && spec.pluginName.length > 256) {
    r.error(WASM_PLUGIN, 'spec.pluginName', 'pluginName field must be less than 255 characters long', 'Use a plugin name of at most 256 characters.');
  }
  r.error(WASM_PLUGIN, 'spec.vmConfig.env', vmConfigError(spec.vmConfig), 'Name each env entry once; give a value only with valueFrom INLINE.');
  r.error(WASM_PLUGIN, 'spec.match', matchPortsError(spec.match), 'Give each match port a number from 1 to 65535.');
}
