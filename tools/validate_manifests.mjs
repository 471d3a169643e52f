#!/usr/bin/env node
// validate_manifests.mjs: checks a directory of Kubernetes manifests offline, without a cluster.
//
//   node tools/validate_manifests.mjs deploy/kubernetes     every *.yaml / *.yml in the directory
//   node tools/validate_manifests.mjs --self-test           shows that broken manifests are caught
//
// For every object of every (multi-document) YAML file:
//   - the Kubernetes schema, through the kubernetes-models class of its apiVersion and kind
//     (`.validate()`: types, required fields, enumerations, formats);
//   - unknown fields (a misspelt `resurces:` or `readinessprobe:`), which the schema alone lets
//     through, from the same package's type declarations, naming the nearest known field;
//   - the project's rules: every container has resources.requests and resources.limits (cpu and
//     memory), readiness and liveness probes (not init containers), runs as non-root with a
//     numeric user, cannot escalate privilege, drops ALL capabilities, and has a read-only root
//     filesystem; every volume mount names a volume; workload selectors match their pod
//     templates; Services, PodDisruptionBudgets and NetworkPolicies select a pod of the
//     directory; a StatefulSet's serviceName is a headless Service of the directory;
//     ConfigMaps referred to exist (with the key referred to) unless optional; Secrets referred
//     to are described in a *.example.yaml file; namespaced objects are in the directory's
//     Namespace;
//   - kustomization.yaml lists every other YAML file of the directory except *.example.yaml,
//     and lists nothing that is missing or an example.
// YAML is read as YAML 1.1, as kubectl reads it (`defaultMode: 0400` is octal).
//
// Exit status: 0 all good; 1 problems found (each printed as "FILE: KIND/NAME: PROBLEM");
// 2 bad usage. Dependencies (tools/package.json, pinned): kubernetes-models, yaml.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import YAML from "yaml";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------------------------------------
// The schema, through kubernetes-models.

const modelCache = new Map();

// The kubernetes-models class for apiVersion/kind, or an error message.
async function loadModel(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let result;
  if (typeof apiVersion !== "string" || typeof kind !== "string" ||
      !/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) ||
      !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    result = { error: `apiVersion "${apiVersion}" and kind "${kind}" do not name a Kubernetes type` };
  } else {
    const module = `kubernetes-models/${apiVersion}/${kind}`;
    try {
      const loaded = await import(module);
      const model = loaded[kind];
      if (typeof model !== "function") throw new Error("no class");
      result = { model, declarations: require.resolve(module).replace(/\.js$/, ".d.ts") };
    } catch {
      result = { error: `unknown apiVersion/kind ${apiVersion} ${kind} (kubernetes-models has no ${module})` };
    }
  }
  modelCache.set(key, result);
  return result;
}

function schemaProblems(model, object) {
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) return [String(error.message || error)];
    return error.errors.map((e) => {
      let message = `${e.instancePath || "/"}: ${e.message}`;
      if (e.params?.allowedValues) message += ` (${e.params.allowedValues.join(", ")})`;
      return message;
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Unknown fields, from the type declarations (.d.ts) kubernetes-models ships with each class.
// Each declares one interface, one property per line at four spaces, e.g.
//     "resources"?: IIoK8sApiCoreV1ResourceRequirements;
//     "limits"?: {
//         [key: string]: IIoK8sApimachineryPkgApiResourceQuantity;
//     };
// Types are another interface (imported by name), Array<T>, a map { [key: string]: T }, or a
// leaf (string, number, literals, and aliases such as Quantity and IntOrString).

const interfaceCache = new Map();

function loadInterface(file) {
  if (interfaceCache.has(file)) return interfaceCache.get(file);
  interfaceCache.set(file, null);  // a type that refers to itself meets this while loading
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ ([^}]+) \} from "([^"]+)";$/gm)) {
    for (const name of m[1].split(",")) imports.set(name.trim(), m[2]);
  }
  const declared = text.match(/^export interface (\w+)(?: extends [^{]*)? \{\n([\s\S]*?)\n\}$/m);
  if (!declared) return null;  // a type alias: a leaf
  const context = { file, imports, self: declared[1] };
  const body = declared[2].replace(/\/\*\*[\s\S]*?\*\//g, "").split("\n");
  const result = { properties: parseProperties(body, 4, context) };
  interfaceCache.set(file, result);
  return result;
}

// The properties declared at `indent` spaces; a type that opens a brace on its line ("{" or
// "Array<{") runs on to the line at the same indent that closes it.
function parseProperties(lines, indent, context) {
  const properties = new Map();
  const property = new RegExp(`^ {${indent}}"([^"]+)"\\??: (.*)$`);
  const closing = new RegExp(`^ {${indent}}\\}`);
  for (let i = 0; i < lines.length; ++i) {
    const m = lines[i].match(property);
    if (!m) continue;
    const type = [m[2]];
    if (m[2].endsWith("{")) {
      while (++i < lines.length && !closing.test(lines[i])) type.push(lines[i]);
      if (i < lines.length) type.push(lines[i].trim());
    }
    properties.set(m[1], parseType(type, indent, context));
  }
  return properties;
}

// A type written on `lines` (the first one after the property's name), declared at `indent`.
function parseType(lines, indent, context) {
  const text = lines.join("\n").trim().replace(/;$/, "");
  let m;
  if (lines.length === 1 && (m = text.match(/^Array<(.*)>$/))) return { array: parseType([m[1]], indent, context) };
  if ((m = text.match(/^Array<\{\n([\s\S]*)\n\}>$/))) {
    return { array: { properties: parseProperties(m[1].split("\n"), indent + 4, context) } };
  }
  if ((m = text.match(/^\{\n\s*\[key: string\]: ([\s\S]*?);?\n\}$/))) {
    return { map: parseType(m[1].split("\n"), indent + 4, context) };
  }
  if ((m = text.match(/^\{\n([\s\S]*)\n\}$/))) return { properties: parseProperties(m[1].split("\n"), indent + 4, context) };
  if (/^\w+$/.test(text)) {
    if (text === context.self) return { file: context.file };
    const from = context.imports.get(text);
    if (from !== undefined) {
      const file = from.startsWith(".")
        ? path.resolve(path.dirname(context.file), `${from}.d.ts`)
        : createRequire(context.file).resolve(from).replace(/\.js$/, ".d.ts");
      return { file };
    }
  }
  return { leaf: true };
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function editDistance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; ++i) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; ++j) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

function nearest(name, known) {
  let best = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : null;
}

function unknownFields(value, type, pointer, out) {
  if (value === null || value === undefined || type.leaf) return;
  if (type.array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type.array, `${pointer}/${i}`, out));
  } else if (type.map) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) unknownFields(v, type.map, `${pointer}/${k}`, out);
  } else if (type.file || type.properties) {
    const declared = type.properties ? type : loadInterface(type.file);
    if (declared === null || !isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      const field = declared.properties.get(k);
      if (field === undefined) {
        const guess = nearest(k, declared.properties.keys());
        out.push(`${pointer}/${k}: unknown field "${k}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
      } else {
        unknownFields(v, field, `${pointer}/${k}`, out);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The project's rules.

const clusterScoped = new Set([
  "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
  "PriorityClass", "CustomResourceDefinition", "IngressClass", "RuntimeClass",
  "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
]);

// The pod template of a workload: { spec, labels, where } or null.
function podTemplate(object) {
  const spec = object.spec ?? {};
  switch (object.kind) {
    case "Pod":
      return { spec, labels: object.metadata?.labels ?? {}, where: "/spec" };
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return { spec: spec.template?.spec ?? {}, labels: spec.template?.metadata?.labels ?? {}, where: "/spec/template/spec" };
    case "CronJob":
      return {
        spec: spec.jobTemplate?.spec?.template?.spec ?? {},
        labels: spec.jobTemplate?.spec?.template?.metadata?.labels ?? {},
        where: "/spec/jobTemplate/spec/template/spec",
      };
    default:
      return null;
  }
}

// Whether a LabelSelector ({matchLabels, matchExpressions}) selects these labels.
function selects(selector, labels) {
  if (!isObject(selector)) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === "In" && !(has && (e.values ?? []).includes(value))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(value)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function containerProblems(container, pod, where, isInit) {
  const out = [];
  const resources = container.resources ?? {};
  for (const part of ["requests", "limits"]) {
    for (const resource of ["cpu", "memory"]) {
      if (resources[part]?.[resource] === undefined) out.push(`${where}: resources.${part}.${resource} is missing`);
    }
  }
  if (!isInit) {
    for (const probe of ["readinessProbe", "livenessProbe"]) {
      if (!isObject(container[probe])) out.push(`${where}: ${probe} is missing`);
    }
  }
  const own = container.securityContext ?? {};
  const podLevel = pod.securityContext ?? {};
  if ((own.runAsNonRoot ?? podLevel.runAsNonRoot) !== true) {
    out.push(`${where}: runAsNonRoot is not true (in the container's or the pod's securityContext)`);
  }
  const user = own.runAsUser ?? podLevel.runAsUser;
  if (user === undefined) {
    out.push(`${where}: runAsUser is not set: kubelet refuses runAsNonRoot for an image whose USER is a ` +
             `name (the Dockerfile's is), so give the uid as a number`);
  } else if (user === 0) {
    out.push(`${where}: runAsUser is 0 (root)`);
  }
  if (own.allowPrivilegeEscalation !== false) out.push(`${where}: securityContext.allowPrivilegeEscalation is not false`);
  if (own.privileged === true) out.push(`${where}: securityContext.privileged is true`);
  if (own.readOnlyRootFilesystem !== true) out.push(`${where}: securityContext.readOnlyRootFilesystem is not true`);
  if (!(own.capabilities?.drop ?? []).includes("ALL")) out.push(`${where}: securityContext.capabilities.drop does not include ALL`);
  return out;
}

// Every problem of one object that the directory as a whole can show. `all` is every object.
function ruleProblems(object, all, context) {
  const out = [];
  const template = podTemplate(object);
  if (template) {
    const { spec, labels, where } = template;
    const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
    if (object.kind === "StatefulSet") {
      for (const claim of object.spec?.volumeClaimTemplates ?? []) volumes.add(claim.metadata?.name);
    }
    const groups = [["containers", spec.containers ?? [], false], ["initContainers", spec.initContainers ?? [], true]];
    if ((spec.containers ?? []).length === 0) out.push(`${where}/containers: no container`);
    for (const [field, containers, isInit] of groups) {
      containers.forEach((container, i) => {
        const at = `${where}/${field}/${i} (${container.name})`;
        out.push(...containerProblems(container, spec, at, isInit));
        for (const mount of container.volumeMounts ?? []) {
          if (!volumes.has(mount.name)) out.push(`${at}: volumeMount "${mount.name}" names no volume of the pod`);
        }
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.configMapKeyRef;
          if (ref && !ref.optional) out.push(...configMapProblems(ref.name, ref.key, `${at}: env ${env.name}`, context));
          const secret = env.valueFrom?.secretKeyRef;
          if (secret && !secret.optional) out.push(...secretProblems(secret.name, [secret.key], `${at}: env ${env.name}`, context));
        }
      });
    }
    (spec.volumes ?? []).forEach((volume, i) => out.push(...fileModeProblems(volume, `${where}/volumes/${i}`)));
    for (const volume of spec.volumes ?? []) {
      const at = `${where}/volumes (${volume.name})`;
      if (volume.configMap && !volume.configMap.optional) {
        const keys = (volume.configMap.items ?? []).map((item) => item.key);
        if (keys.length === 0) keys.push(undefined);
        for (const key of keys) out.push(...configMapProblems(volume.configMap.name, key, at, context));
      }
      if (volume.secret && !volume.secret.optional) {
        const keys = (volume.secret.items ?? []).map((item) => item.key);
        out.push(...secretProblems(volume.secret.secretName, keys, at, context));
      }
    }
    if (object.kind !== "Pod" && object.kind !== "CronJob" && object.kind !== "Job") {
      if (!selects(object.spec?.selector, labels)) {
        out.push("/spec/selector: does not select the pod template's labels (/spec/template/metadata/labels)");
      }
    }
    if (object.kind === "StatefulSet") {
      const name = object.spec?.serviceName;
      const service = all.find((o) => o.kind === "Service" && o.metadata?.name === name);
      if (!service) {
        out.push(`/spec/serviceName: "${name}" is not a Service of these manifests`);
      } else if (service.spec?.clusterIP !== "None") {
        out.push(`/spec/serviceName: Service "${name}" is not headless (clusterIP: None)`);
      }
    }
  }
  const pods = all.map(podTemplate).filter(Boolean);
  if (object.kind === "Service" && isObject(object.spec?.selector)) {
    const chosen = pods.filter((p) => selects({ matchLabels: object.spec.selector }, p.labels));
    if (chosen.length === 0) out.push("/spec/selector: selects no pod template of these manifests");
    (object.spec.ports ?? []).forEach((port, i) => {
      const target = port.targetPort ?? port.port;
      const found = chosen.some((p) => (p.spec.containers ?? []).some((c) => (c.ports ?? []).some(
        (cp) => (typeof target === "string" ? cp.name === target : cp.containerPort === target))));
      if (chosen.length > 0 && !found) out.push(`/spec/ports/${i}: targetPort ${target} is no port of the selected containers`);
    });
  }
  if (object.kind === "PodDisruptionBudget" && !pods.some((p) => selects(object.spec?.selector, p.labels))) {
    out.push("/spec/selector: selects no pod template of these manifests");
  }
  if (object.kind === "NetworkPolicy" && !pods.some((p) => selects(object.spec?.podSelector, p.labels))) {
    out.push("/spec/podSelector: selects no pod template of these manifests");
  }
  const namespaces = all.filter((o) => o.kind === "Namespace").map((o) => o.metadata?.name);
  if (namespaces.length > 0 && !clusterScoped.has(object.kind) && !namespaces.includes(object.metadata?.namespace)) {
    out.push(`/metadata/namespace: "${object.metadata?.namespace ?? ""}" is not the Namespace of these manifests (${namespaces.join(", ")})`);
  }
  return out;
}

// File modes of Secret, ConfigMap, projected and downward API volumes: at most 0777, and no write
// for group or others (a mode written in decimal, 400 for 0400, is 0620).
function fileModeProblems(value, pointer) {
  const out = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...fileModeProblems(v, `${pointer}/${i}`)));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if ((k === "defaultMode" || k === "mode") && Number.isInteger(v)) {
        if (v < 0 || v > 0o777) {
          out.push(`${pointer}/${k}: ${v} is not a file mode (0 to 0777; write it in octal, e.g. 0400)`);
        } else if ((v & 0o022) !== 0) {
          out.push(`${pointer}/${k}: ${v} is 0${v.toString(8)}, writable by group or others ` +
                   `(write modes in octal, e.g. 0400, not 400)`);
        }
      } else {
        out.push(...fileModeProblems(v, `${pointer}/${k}`));
      }
    }
  }
  return out;
}

function configMapProblems(name, key, where, context) {
  const map = context.objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === name);
  if (!map) return [`${where}: ConfigMap "${name}" is not in these manifests (or mark it optional: true)`];
  if (key !== undefined && !Object.hasOwn(map.data ?? {}, key) && !Object.hasOwn(map.binaryData ?? {}, key)) {
    return [`${where}: ConfigMap "${name}" has no key "${key}"`];
  }
  return [];
}

// A Secret is not applied from these manifests (it holds key material), but it must be described,
// with the keys referred to, in a *.example.yaml file (or be among the manifests).
function secretProblems(name, keys, where, context) {
  const secret = context.objects.find((o) => o.kind === "Secret" && o.metadata?.name === name) ??
                 context.exampleSecrets.get(name);
  if (!secret) return [`${where}: Secret "${name}" is neither in these manifests nor described in a *.example.yaml file`];
  return keys.filter((key) => !Object.hasOwn(secret.data ?? {}, key) && !Object.hasOwn(secret.stringData ?? {}, key))
    .map((key) => `${where}: Secret "${name}" has no key "${key}" (in its description)`);
}

// ---------------------------------------------------------------------------------------------
// kustomization.yaml

const kustomizationFields = [
  "apiVersion", "kind", "metadata", "resources", "components", "namespace", "namePrefix",
  "nameSuffix", "labels", "commonLabels", "commonAnnotations", "images", "replicas", "patches",
  "patchesStrategicMerge", "patchesJson6902", "configMapGenerator", "secretGenerator",
  "generatorOptions", "replacements", "vars", "configurations", "crds", "openapi",
  "buildMetadata", "helmCharts", "helmGlobals", "sortOptions", "transformers", "generators",
  "validators", "inventory",
];

function kustomizationProblems(kustomization, yamlFiles) {
  const out = [];
  if (!isObject(kustomization)) return ["not a mapping"];
  if (kustomization.kind !== "Kustomization") out.push(`kind is "${kustomization.kind}", not Kustomization`);
  if (!/^kustomize\.config\.k8s\.io\/v1(beta1)?$/.test(kustomization.apiVersion ?? "")) {
    out.push(`apiVersion is "${kustomization.apiVersion}", not kustomize.config.k8s.io/v1beta1`);
  }
  for (const key of Object.keys(kustomization)) {
    if (!kustomizationFields.includes(key)) {
      const guess = nearest(key, kustomizationFields);
      out.push(`unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}`);
    }
  }
  const listed = Array.isArray(kustomization.resources) ? kustomization.resources : [];
  if (!Array.isArray(kustomization.resources)) out.push("resources: not a list");
  const seen = new Set();
  for (const entry of listed) {
    if (typeof entry !== "string") { out.push(`resources: ${JSON.stringify(entry)} is not a file name`); continue; }
    if (seen.has(entry)) out.push(`resources: ${entry} is listed twice`);
    seen.add(entry);
    if (/\.example\.ya?ml$/.test(entry)) out.push(`resources: ${entry} is an example and must not be applied`);
    else if (!yamlFiles.includes(entry)) out.push(`resources: ${entry} is not a YAML file of this directory`);
  }
  for (const file of yamlFiles) {
    if (/^kustomization\.ya?ml$/.test(file) || /\.example\.ya?ml$/.test(file)) continue;
    if (!seen.has(file)) out.push(`resources: ${file} is not listed (every YAML file but *.example.yaml must be)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// One directory (or the self-test's files): a Map of file name -> text. Returns the problems,
// each "FILE: KIND/NAME: PROBLEM", and how many objects were checked.

async function checkFiles(files) {
  const problems = [];
  const entries = []; // { file, index, object }
  const yamlFiles = [...files.keys()].filter((f) => /\.ya?ml$/.test(f)).sort();
  let kustomization = null;
  for (const file of yamlFiles) {
    const documents = YAML.parseAllDocuments(files.get(file), { version: "1.1", prettyErrors: true, uniqueKeys: true });
    const list = Array.isArray(documents) ? documents : [documents];
    list.forEach((document, index) => {
      for (const error of document.errors) {
        problems.push(`${file}: YAML: ${error.message.split("\n")[0].replace(/:$/, "")}`);
      }
      if (document.errors.length > 0) return;
      const object = document.toJS({ maxAliasCount: 100 });
      if (object === null || object === undefined) return; // an empty document
      if (/^kustomization\.ya?ml$/.test(file)) {
        kustomization = object;
        return;
      }
      if (!isObject(object)) {
        problems.push(`${file}: document ${index + 1}: not a mapping`);
        return;
      }
      entries.push({ file, object, example: /\.example\.ya?ml$/.test(file) });
    });
  }
  if (kustomization === null) {
    problems.push("kustomization.yaml: missing: it must list every YAML file but *.example.yaml");
  } else {
    for (const p of kustomizationProblems(kustomization, yamlFiles)) problems.push(`kustomization.yaml: ${p}`);
  }
  const applied = entries.filter((e) => !e.example).map((e) => e.object);
  const context = {
    objects: applied,
    exampleSecrets: new Map(entries.filter((e) => e.example && e.object.kind === "Secret").map((e) => [e.object.metadata?.name, e.object])),
  };
  const names = new Set();
  for (const { file, object, example } of entries) {
    const label = `${file}: ${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
    const report = (p) => problems.push(`${label}: ${p}`);
    const loaded = await loadModel(object.apiVersion, object.kind);
    if (loaded.error) { report(loaded.error); continue; }
    schemaProblems(loaded.model, object).forEach(report);
    const unknown = [];
    if (loadInterface(loaded.declarations) === null) {
      unknown.push(`cannot read the type declarations ${loaded.declarations}, so unknown fields are not checked`);
    }
    unknownFields(object, { file: loaded.declarations }, "", unknown);
    unknown.forEach(report);
    if (typeof object.metadata?.name !== "string" || object.metadata.name === "") report("/metadata/name: missing");
    const identity = `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
    if (!example) {
      if (names.has(identity)) report("defined twice");
      names.add(identity);
    }
    ruleProblems(object, example ? context.objects.concat(object) : context.objects, context).forEach(report);
  }
  return { problems, objects: entries.length, files: yamlFiles.length };
}

// ---------------------------------------------------------------------------------------------
// --self-test: a small valid directory must pass, and each deliberately broken variant of it
// must fail with the expected problem. Proves that this checker can fail.

const good = {
  "kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [namespace.yaml, service.yaml, statefulset.yaml, configmap.yaml]
`,
  "namespace.yaml": `apiVersion: v1
kind: Namespace
metadata: {name: t}
`,
  "configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: t}
data: {policy.textproto: ""}
`,
  "service.yaml": `apiVersion: v1
kind: Service
metadata: {name: s, namespace: t}
spec:
  clusterIP: None
  selector: {app: a}
  ports: [{name: grpc, port: 50051, targetPort: grpc}]
`,
  "secrets.example.yaml": `apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: t}
stringData: {master.key: placeholder}
`,
  "statefulset.yaml": `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: a, namespace: t}
spec:
  replicas: 1
  serviceName: s
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001}
      containers:
        - name: c
          image: i
          ports: [{name: grpc, containerPort: 50051}]
          readinessProbe: {exec: {command: [probe]}}
          livenessProbe: {exec: {command: [probe]}}
          resources:
            requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: "2", memory: 2Gi}
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: data, mountPath: /var/lib/ledger}
            - {name: keys, mountPath: /etc/ledger/keys}
            - {name: policy, mountPath: /etc/ledger/policy}
      volumes:
        - {name: keys, secret: {secretName: keys, defaultMode: 0400, items: [{key: master.key, path: master.key}]}}
        - {name: policy, configMap: {name: conf, items: [{key: policy.textproto, path: policy.textproto}]}}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
};

// Each case: what it breaks, a change to the good files, and a piece of the expected problem.
const brokenCases = [
  ["a misspelt field", { "statefulset.yaml": (t) => t.replace("          resources:", "          resurces:") },
    'unknown field "resurces" (did you mean "resources"?)'],
  ["a misspelt field in the metadata", { "statefulset.yaml": (t) => t.replace("metadata: {name: a, namespace: t}", "metadata: {name: a, namespace: t, lables: {}}") },
    'metadata/lables: unknown field "lables" (did you mean "labels"?)'],
  ["a misspelt field in a claim template", { "statefulset.yaml": (t) => t.replace("accessModes: [ReadWriteOnce]", "accesModes: [ReadWriteOnce]") },
    'volumeClaimTemplates/0/spec/accesModes: unknown field'],
  ["a misspelt field in a probe", { "statefulset.yaml": (t) => t.replace("livenessProbe: {exec: {command: [probe]}}", "livenessProbe: {exec: {commands: [probe]}}") },
    'livenessProbe/exec/commands: unknown field'],
  ["a file mode that is not one", { "statefulset.yaml": (t) => t.replace("defaultMode: 0400", "defaultMode: 01000") },
    "defaultMode: 512 is not a file mode"],
  ["a file mode written in decimal", { "statefulset.yaml": (t) => t.replace("defaultMode: 0400", "defaultMode: 400") },
    "defaultMode: 400 is 0620, writable by group or others"],
  ["a misspelt probe", { "statefulset.yaml": (t) => t.replace("readinessProbe:", "readinessprobe:") },
    'unknown field "readinessprobe"'],
  ["a missing memory limit", { "statefulset.yaml": (t) => t.replace('limits: {cpu: "2", memory: 2Gi}', 'limits: {cpu: "2"}') },
    "resources.limits.memory is missing"],
  ["no limits at all", { "statefulset.yaml": (t) => t.replace(/\n +limits: \{[^}]*\}/, "") },
    "resources.limits.cpu is missing"],
  ["no liveness probe", { "statefulset.yaml": (t) => t.replace(/\n +livenessProbe: .*/, "") },
    "livenessProbe is missing"],
  ["running as root allowed", { "statefulset.yaml": (t) => t.replace("runAsNonRoot: true", "runAsNonRoot: false") },
    "runAsNonRoot is not true"],
  ["a user name the kubelet cannot check", { "statefulset.yaml": (t) => t.replace("runAsUser: 10001, ", "") },
    "runAsUser is not set"],
  ["a writable root filesystem", { "statefulset.yaml": (t) => t.replace("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false") },
    "readOnlyRootFilesystem is not true"],
  ["a wrong type", { "statefulset.yaml": (t) => t.replace("containerPort: 50051", "containerPort: fifty") },
    "containerPort: must be integer"],
  ["a bad enumeration", { "service.yaml": (t) => t.replace("clusterIP: None", "clusterIP: None\n  type: Headless") },
    "/spec/type: must be equal to one of the allowed values"],
  ["a mount of no volume", { "statefulset.yaml": (t) => t.replace("{name: data, mountPath", "{name: dat, mountPath") },
    'volumeMount "dat" names no volume'],
  ["a selector that misses the pods", { "statefulset.yaml": (t) => t.replace("selector: {matchLabels: {app: a}}", "selector: {matchLabels: {app: b}}") },
    "does not select the pod template's labels"],
  ["a Service that selects nothing", { "service.yaml": (t) => t.replace("selector: {app: a}", "selector: {app: nothing}") },
    "selects no pod template"],
  ["a ConfigMap key that is not there", { "configmap.yaml": (t) => t.replace("policy.textproto", "policy.txt") },
    'ConfigMap "conf" has no key "policy.textproto"'],
  ["a Secret nobody describes", { "secrets.example.yaml": (t) => t.replace("name: keys", "name: other") },
    'Secret "keys" is neither in these manifests'],
  ["a Secret key nobody describes", { "secrets.example.yaml": (t) => t.replace("master.key:", "master-key:") },
    'Secret "keys" has no key "master.key"'],
  ["a file missing from kustomization.yaml", { "kustomization.yaml": (t) => t.replace(", configmap.yaml", "") },
    "configmap.yaml is not listed"],
  ["an example listed in kustomization.yaml", { "kustomization.yaml": (t) => t.replace("configmap.yaml]", "configmap.yaml, secrets.example.yaml]") },
    "secrets.example.yaml is an example"],
  ["an object outside the namespace", { "configmap.yaml": (t) => t.replace("namespace: t", "namespace: default") },
    "is not the Namespace of these manifests"],
  ["an unknown kind", { "configmap.yaml": (t) => t.replace("kind: ConfigMap", "kind: ConfigMapp") },
    "unknown apiVersion/kind v1 ConfigMapp"],
  ["a duplicate key", { "namespace.yaml": (t) => `${t}kind: Namespace\n` },
    "YAML: Map keys must be unique"],
];

async function selfTest() {
  const base = new Map(Object.entries(good));
  const passed = await checkFiles(base);
  let failures = 0;
  if (passed.problems.length > 0) {
    console.log("FAIL: the valid manifests were refused:");
    for (const p of passed.problems) console.log(`  ${p}`);
    ++failures;
  } else {
    console.log(`ok: the valid manifests pass (${passed.objects} objects)`);
  }
  for (const [what, changes, expected] of brokenCases) {
    const files = new Map(base);
    for (const [file, change] of Object.entries(changes)) {
      const changed = change(files.get(file));
      if (changed === files.get(file)) throw new Error(`self-test case "${what}" changes nothing`);
      files.set(file, changed);
    }
    const { problems } = await checkFiles(files);
    const caught = problems.find((p) => p.includes(expected));
    if (caught) {
      console.log(`ok: ${what}: ${caught}`);
    } else {
      console.log(`FAIL: ${what}: expected a problem containing "${expected}", got:`);
      for (const p of problems.length ? problems : ["(no problem at all)"]) console.log(`  ${p}`);
      ++failures;
    }
  }
  const total = brokenCases.length + 1;
  console.log(`${total - failures} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------

async function main(argv) {
  if (argv.length === 1 && argv[0] === "--self-test") return selfTest();
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    console.error("usage: node tools/validate_manifests.mjs DIRECTORY   (e.g. deploy/kubernetes)\n" +
                  "       node tools/validate_manifests.mjs --self-test");
    return 2;
  }
  const directory = argv[0];
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    console.error(`validate_manifests: ${directory} is not a directory`);
    return 2;
  }
  const files = new Map();
  for (const name of readdirSync(directory).sort()) {
    if (/\.ya?ml$/.test(name)) files.set(name, readFileSync(path.join(directory, name), "utf8"));
  }
  if (files.size === 0) {
    console.error(`validate_manifests: ${directory} holds no *.yaml file`);
    return 1;
  }
  const { problems, objects } = await checkFiles(files);
  if (problems.length > 0) {
    for (const p of problems) console.error(`${directory.replace(/\/*$/, "/")}${p}`);
    console.error(`validate_manifests: ${problems.length} problem(s) in ${directory}`);
    return 1;
  }
  console.log(`validate_manifests: ${directory}: ${files.size} files, ${objects} objects: OK`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
