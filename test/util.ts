import { Chart, ChartProps, Testing } from 'cdk8s';

/** A chart for one test, optionally with a namespace. */
export function chart(props: ChartProps = {}): Chart {
  return new Chart(Testing.app(), 'test', props);
}

/** Synthesizes `c` and returns the objects of `kind`. */
export function ofKind(c: Chart, kind: string): any[] {
  return Testing.synth(c).filter((o) => o.kind === kind);
}

/** Synthesizes `c` and returns the single object of `kind`. */
export function one(c: Chart, kind: string): any {
  const found = ofKind(c, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** Placeholder PEM blocks: shaped like PEM, not real keys (constructs only check the framing). */
export const PEM = {
  cert: (tag: string) => `-----BEGIN CERTIFICATE-----\nMIIB${tag}\n-----END CERTIFICATE-----\n`,
  key: '-----BEGIN PRIVATE KEY-----\nMIIEkey\n-----END PRIVATE KEY-----\n',
};
