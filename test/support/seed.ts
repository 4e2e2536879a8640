import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** The seed document: Istio's "Egress TLS Origination" task, unchanged (see test/fixtures/seed/README.md). */
export const SEED_FILE = path.resolve(__dirname, '../fixtures/seed/egress-tls-origination.zh.md');

function heredocs(opener: RegExp): string[] {
  const lines = fs.readFileSync(SEED_FILE, 'utf8').split('\n');
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!opener.test(lines[i])) continue;
    const indent = lines[i].match(/^\s*/)![0].length;
    const body: string[] = [];
    for (i++; lines[i].trim() !== 'EOF'; i++) body.push(lines[i].slice(indent));
    blocks.push(body.join('\n') + '\n');
  }
  return blocks;
}

/** Every object the seed applies with `kubectl apply -f - <<EOF`, in order (later ones replace earlier ones). */
export function seedObjects(): any[] {
  return heredocs(/\$ kubectl apply -f - <<EOF/)
    .flatMap((text) => parseAllDocuments(text).map((d) => d.toJS()))
    .filter((o) => o);
}

/** The seed's nginx.conf. */
export function seedNginxConf(): string {
  return heredocs(/cat <<\\EOF > \.\/nginx\.conf/)[0];
}
