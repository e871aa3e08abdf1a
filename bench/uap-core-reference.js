// Scores uap-core's reference parser (npm uap-ref-impl) on uap-core's test cases with a given regexes.yaml, optionally
// with supplementary rules tried first (as UserAgentParser does with Enrichment/regexes.supplement.yaml), and writes
// the failing user agents to /tmp/uap-ref-<file>.fails, to compare with the Enrichment tests' failure lists
// (tests/CivicDesk.Web.Tests/bin/Debug/net10.0/enrichment-reports/). Not part of the build; see docs/benchmarks.md.
//   mkdir -p /tmp/uapref && cd /tmp/uapref && npm init -y >/dev/null && npm install uap-ref-impl@0.3.1 js-yaml@4
//   NODE_PATH=/tmp/uapref/node_modules node bench/uap-core-reference.js src/CivicDesk.Web/obj/data-packages/uap-core/regexes.yaml ../shared/fixtures/uap-core [src/CivicDesk.Web/SiteAnalytics/Enrichment/regexes.supplement.yaml]
const fs = require('fs'); const yaml = require('js-yaml');
const regexes = yaml.load(fs.readFileSync(process.argv[2], 'utf8'));
if (process.argv[4]) {
  const supplement = yaml.load(fs.readFileSync(process.argv[4], 'utf8'));
  for (const key of ['user_agent_parsers', 'os_parsers', 'device_parsers']) regexes[key] = [...(supplement[key] || []), ...regexes[key]];
}
const p = require('uap-ref-impl')(regexes);
const fx = (process.argv[3] || '../shared/fixtures/uap-core') + '/';
const n = v => (v === undefined || v === null || v === '') ? null : String(v);
for (const [file, fn, fields] of [['test_ua.yaml', p.parseUA, ['family','major','minor','patch']], ['test_os.yaml', p.parseOS, ['family','major','minor','patch','patch_minor']], ['test_device.yaml', p.parseDevice, ['family','brand','model']]]) {
  const cases = yaml.load(fs.readFileSync(fx + file, 'utf8')).test_cases;
  const fails = [];
  for (const c of cases) { const r = fn(c.user_agent_string); const rr = {...r, patch_minor: r.patchMinor};
    if (fields.some(f => n(c[f]) !== n(rr[f]))) fails.push(c.user_agent_string + '\n    ' + fields.filter(f => n(c[f]) !== n(rr[f])).map(f => `${f}: expected '${n(c[f]) ?? ''}' got '${n(rr[f]) ?? ''}'`).join('; ')); }
  fs.writeFileSync('/tmp/uap-ref-' + file + '.fails', fails.join('\n') + '\n');
  console.log(file, cases.length - fails.length, '/', cases.length, ((cases.length - fails.length) / cases.length * 100).toFixed(2) + '%');
}
