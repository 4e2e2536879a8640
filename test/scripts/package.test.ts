import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const REPO = 'https://github.com/cdk8s-istio-egress/cdk8s-istio-egress';

/** Paths in the tarball `npm pack` would write (scripts skipped: the list does not depend on lib/ being built for these checks). */
function packedFiles(): string[] {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
  });
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
}

/** Targets of the Markdown links and images of a document, outside code blocks and code spans. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, 'code');
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
}

describe('npm package', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  let files: string[];
  beforeAll(() => { files = packedFiles(); }, 60_000);

  test('the tarball holds LICENSE, CHANGELOG.md and README.md', () => {
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']));
  });

  test('LICENSE is the Apache License 2.0 text and package.json says so', () => {
    const license = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004\s+http:\/\/www\.apache\.org\/licenses\//);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(pkg.license).toBe('Apache-2.0');
  });

  test('package.json names the repository, homepage and issue tracker', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git` });
    expect(pkg.homepage).toBe(`${REPO}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPO}/issues` });
  });

  test('every relative link of README.md points to a file in the tarball', () => {
    // GIVEN the README's link targets
    const targets = links(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    expect(targets.length).toBeGreaterThan(0);

    // THEN those that are not absolute URLs or anchors name a packed file
    const relative = targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
      .map((t) => path.posix.normalize(t.split('#')[0]));
    expect(relative.filter((t) => !files.includes(t))).toEqual([]);
  });

  test('the link check sees relative links, and ignores code and absolute URLs', () => {
    expect(links('[a](src/x.md) [b](https://x.io/y) `[c](nope.md)` ![i](img.png "t")\n```\n[d](nope.md)\n```\n'))
      .toEqual(['src/x.md', 'https://x.io/y', 'img.png']);
  });

  test('what the cdk8s CLI writes into dist/ besides the manifests is not committed', () => {
    const r = spawnSync('git', ['check-ignore', '-q', 'dist/construct-metadata.json'], { cwd: ROOT });
    expect(r.status).toBe(0);
  });
});
