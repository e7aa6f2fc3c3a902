import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/** One object of a rendered manifest. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

const repoRoot = new URL('../..', import.meta.url).pathname;

/** `kubectl kustomize <dir>`, parsed: what `kubectl apply -k <dir>` would send to the API server. */
export function renderKustomization(dir: string): KubeObject[] {
  const yamlText = execFileSync('kubectl', ['kustomize', join(repoRoot, dir)], { encoding: 'utf8' });
  return parseAllDocuments(yamlText).map((doc) => {
    if (doc.errors.length)
      throw new Error(`kubectl kustomize ${dir} rendered invalid YAML: ${doc.errors[0]}`);
    return doc.toJS() as KubeObject;
  });
}

/** Where the typed model of an apiVersion/kind lives: kubernetes-models for the core API groups, the CRD packages beside it. */
function modelModule(object: KubeObject): string {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  if (group === 'monitoring.coreos.com') {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`;
  }
  if (group === 'argoproj.io') return `@kubernetes-models/argo-rollouts/${group}/${version}/${object.kind}`;
  return `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
}

/**
 * Every problem the API server would refuse an object for, as "Kind/name: problem": the OpenAPI schema's types,
 * required fields, formats and patterns (the models' JSON-schema validators), and unknown fields (the API server's
 * strict field validation; the TypeScript interfaces generated from the same OpenAPI document catch them as excess
 * properties). An object of a kind without a model is a problem too, so nothing passes unvalidated.
 */
export async function schemaProblems(objects: KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  const typed: { object: KubeObject; module: string }[] = [];
  for (const object of objects) {
    const label = `${object.kind}/${object.metadata?.name}`;
    const module = modelModule(object);
    let model: new (data: unknown) => { validate(): void };
    try {
      const exports = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
      model = exports[object.kind]!;
      if (!model) throw new Error(`no ${object.kind} in ${module}`);
    } catch {
      problems.push(`${label}: no schema for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new model(object).validate();
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
    typed.push({ object, module });
  }
  problems.push(...unknownFieldProblems(typed));
  return problems;
}

function unknownFieldProblems(typed: { object: KubeObject; module: string }[]): string[] {
  if (typed.length === 0) return [];
  // Inside the repository, so that the models resolve from its node_modules.
  const dir = join(repoRoot, 'test-artifacts', `kube-schema-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'objects.ts');
  const lines = typed.map(
    ({ object, module }, i) =>
      `import type { I${object.kind} as T${i} } from '${module}';\n` +
      `export const o${i}: T${i} = ${JSON.stringify(object)};`,
  );
  writeFileSync(file, lines.join('\n'));
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0];
      const at = diagnostic.file && diagnostic.start !== undefined ? diagnostic.start : -1;
      const index = at >= 0 ? objectIndexAt(diagnostic.file!.text, at) : -1;
      const object = typed[index]?.object;
      return `${object ? `${object.kind}/${object.metadata?.name}` : 'manifest'}: ${message}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function objectIndexAt(text: string, position: number): number {
  const match = [...text.slice(0, position).matchAll(/export const o(\d+)/g)].pop();
  return match ? Number(match[1]) : -1;
}
