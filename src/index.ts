export { IstioApiVersion, LoadBalancer, Resolution } from './istio';
export * from './tls-credential';
export * from './mesh-workload';
export type { TlsOriginationOptions } from './tls-origination';
export * from './egress-tls-origination';
export * from './mutual-tls-origination';
export * from './mesh-external-nginx';
export * from './sleep-client';
