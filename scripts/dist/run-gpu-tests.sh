#!/usr/bin/env bash
# Runs the gpu-tagged JUnit 5 tests of the bundle's test jars with the JUnit console launcher and
# the bundled runtime. Writes to REPORT_DIR (default ./gpu-test-reports): the launcher's JUnit XML
# (TEST-*.xml), console.txt (its tree and summary) and summary.txt (counts, skip reasons, failures).
# Exit status: the launcher's: 0 when nothing failed (also when every test skipped for lack of a
# GPU), 1 when a test failed, 2 when no gpu-tagged test was found.
# On a GPU host, source ../gpu-host/setup-env.sh first. Extra JVM options: JGRAD_TEST_JAVA_OPTS.
set -uo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
reports="${1:-$PWD/gpu-test-reports}"
mkdir -p "$reports" && reports="$(cd "$reports" && pwd)"

shopt -s nullglob
test_jars=("$home"/test/*-tests.jar)
if [ ${#test_jars[@]} -eq 0 ]; then
  echo "run-gpu-tests: no *-tests.jar in $home/test" | tee "$reports/summary.txt" >&2
  exit 2
fi
scan="$(IFS=:; echo "${test_jars[*]}")"

# Test jars first so that their logback-test.xml wins over the CLI's logback.xml. Same JVM flags
# as surefire (parent pom): the Vector API module and a 3 GB heap.
"$home/runtime/bin/java" --add-modules jdk.incubator.vector -Xmx3g ${JGRAD_TEST_JAVA_OPTS:-} \
  -cp "$scan:$home/lib/*:$home/test/junit-platform-console-standalone.jar" \
  org.junit.platform.console.ConsoleLauncher execute \
  --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii \
  --scan-class-path "$scan" --include-tag gpu --fail-if-no-tests --reports-dir "$reports" \
  2>&1 | tee "$reports/console.txt"
rc=${PIPESTATUS[0]}

count() { # the launcher's summary line "[  N tests <what>  ]"
  awk -v w="$1" '$0 ~ "tests " w {gsub(/[^0-9]/, "", $2); print $2; exit}' "$reports/console.txt"
}
found="$(count found)"; ok="$(count successful)"; disabled="$(count skipped)"
aborted="$(count aborted)"; failed="$(count failed)"
{
  echo "gpu tests: found ${found:-?}, succeeded ${ok:-?}, skipped ${disabled:-?} (disabled) + ${aborted:-?} (assumption not met), failed ${failed:-?}; launcher exit $rc"
  [ "${found:-0}" != 0 ] || echo "no gpu-tagged test in these test jars (exit 2)"
  echo "test jars: $(for j in "${test_jars[@]}"; do basename "$j"; done | tr '\n' ' ')"
  # Skip reasons and failures from the XML reports (python3 is on the GPU hosts; optional here).
  python3 - "$reports" 2>/dev/null <<'PY' || true
import collections, glob, os, sys
import xml.etree.ElementTree as ET
reasons, failed = collections.Counter(), []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "TEST-*.xml"))):
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        for el in case:
            text = (el.get("message") or (el.text or "").strip().split("\n")[0]).strip()
            if el.tag == "skipped":
                reasons[text.replace("org.opentest4j.TestAbortedException: ", "")] += 1
            elif el.tag in ("failure", "error"):
                failed.append(f"  {name}: {text[:300]}")
if reasons:
    print("skip reasons (count: message):")
    for text, n in reasons.most_common(10):
        print(f"  {n}: {text[:300]}")
if failed:
    print(f"failed ({len(failed)}):")
    print("\n".join(failed[:50]))
PY
} > "$reports/summary.txt"
cat "$reports/summary.txt"
exit "$rc"
