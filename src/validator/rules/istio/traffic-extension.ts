/**
 * TrafficExtension (extensions.istio.io/v1alpha1, new in Istio 1.30) as Istio 1.30.3 validates it:
 * ValidateTrafficExtension (exactly one of wasm and lua, validateOneOfSelectorType, validateWorkloadSelector,
 * validatePolicyTargetReferences, validateLuaConfig, the WasmPlugin URL/sha256/pull-secret/env checks on wasm,
 * validateWasmConfigName, validateTrafficExtensionMatch). Istio 1.31 validates it the same.
 */
import type { Obj, Reporter } from '../../context';
import { IstioReport, checkIstioMetadata, isMessage } from './common';
import { checkPolicySelector, checkPolicyTargets } from './policy-target';
import { matchPortsError, sha256Error, vmConfigError, wasmUrlError } from './wasm-plugin';
import { defineRule } from '../rule';

export const TRAFFIC_EXTENSION = defineRule({
  id: 'istio/traffic-extension',
  family: 'istio',
  severity: 'error',
  description: 'A TrafficExtension sets neither or both of wasm and lua, has empty or over-long Lua code, an invalid wasm module or match ports.',
  source: 'Istio validation.go ValidateTrafficExtension, validateLuaConfig, validateWasmPluginURL, validateTrafficExtensionMatch',
  details: 'ValidateTrafficExtension: exactly one of wasm and lua; lua.inlineCode not empty and at most 64 KiB; wasm as WasmPlugin (url required with scheme file, http, https, oci or none; sha256 64 characters of [a-f0-9]; imagePullSecret at most 253 characters; pluginName at most 256; vmConfig env named, unique, a value only with valueFrom INLINE); match entries not null with ports 1..65535. The selector and targetRefs are istio/policy-selector and istio/policy-target-ref.',
});

const LUA_MAX = 65536;

/** ValidateTrafficExtension */
export function checkTrafficExtension(o: Obj, rep: Reporter): void {
  const r = new IstioReport(rep, o);
  checkIstioMetadata(o, r);
  const spec = isMessage(o.raw?.spec) ? o.raw.spec : {};
  const wasm = isMessage(spec.wasm) ? spec.wasm : undefined;
  const lua = isMessage(spec.lua) ? spec.lua : undefined;
  if (!wasm === !lua) r.error(TRAFFIC_EXTENSION, 'spec', 'exactly one of wasm or lua must be set', 'Give the extension either a wasm module or inline Lua code.');
  checkPolicyTargets({ selector: spec.selector, targetRefs: spec.targetRefs }, r);
  checkPolicySelector(spec, 'selector', r);
  if (lua) {
    const code = typeof lua.inlineCode === 'string' ? lua.inlineCode : '';
    if (code.length === 0) r.error(TRAFFIC_EXTENSION, 'spec.lua.inlineCode', 'lua.inlineCode cannot be empty', 'Give the Lua code (envoy_on_request / envoy_on_response).');
    // Go counts bytes
    else if (Buffer.byteLength(code, 'utf8') > LUA_MAX) r.error(TRAFFIC_EXTENSION, 'spec.lua.inlineCode', 'lua.inlineCode exceeds maximum size of 64KB', 'Keep inline Lua code under 64 KiB, or use a wasm module.');
  }
  if (wasm) {
    r.error(TRAFFIC_EXTENSION, 'spec.wasm.url', wasmUrlError(wasm.url), 'Give the module\'s URL: oci://registry/image:tag, https://host/module.wasm or file:///path/module.wasm.');
    r.error(TRAFFIC_EXTENSION, 'spec.wasm.sha256', sha256Error(wasm.sha256), 'Give the module\'s SHA-256 as 64 lower-case hex digits, or remove sha256.');
    if (typeof wasm.imagePullSecret === 'string' && wasm.imagePullSecret.length > 253) {
      r.error(TRAFFIC_EXTENSION, 'spec.wasm.imagePullSecret', 'imagePullSecret field must be less than 253 characters long', 'Name a Secret (a name of at most 253 characters).');
    }
    if (typeof wasm.pluginName === 'string' && wasm.pluginName.length > 256) {
      r.error(TRAFFIC_EXTENSION, 'spec.wasm.pluginName', 'pluginName field must be less than 256 characters long', 'Use a plugin name of at most 256 characters.');
    }
    r.error(TRAFFIC_EXTENSION, 'spec.wasm.vmConfig.env', vmConfigError(wasm.vmConfig), 'Name each env entry once; give a value only with valueFrom INLINE.');
  }
  r.error(TRAFFIC_EXTENSION, 'spec.match', matchPortsError(spec.match), 'Give each match port a number from 1 to 65535.');
}
