#!/usr/bin/env bash
# Builds dist/jgrad/ and dist/jgrad.tgz: jgrad for a GPU host that has no Java (a jlinked JDK 17
# runtime, the jars, a launcher, the gpu-tagged tests with the JUnit console launcher, and the
# scripts that make JCuda 12.6 load on a CUDA 13 host), plus dist/data/mnist/*.gz for the runs
# that need MNIST. See docs/gpu-runs/README.md for how it travels and runs.
#
# usage: scripts/build-dist.sh [--no-build]
#   --no-build  use the jars of an earlier `mvn -DskipTests package` instead of running it
# env: MVN_FLAGS (e.g. -o), JGRAD_DATA (where MNIST is), JLINK_COMPRESS (default 0, see below)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
max_tgz_bytes=$((45 * 1000 * 1000))
carry_limit_bytes=$((64 * 1024 * 1024))

say() { printf 'build-dist: %s\n' "$*"; }
die() { printf 'build-dist: error: %s\n' "$*" >&2; exit 1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
bytes() { du -sb "$1" | cut -f1; }

[ "${1:-}" = "--no-build" ] || mvn -q ${MVN_FLAGS:-} -DskipTests package
[ -f cli/target/jgrad-cli.jar ] || die "cli/target/jgrad-cli.jar missing; run 'mvn -q -DskipTests package'"

# The JDK 17 that `java` resolves to; jlink must come from it, and the image is JDK 17 because the
# poms compile for 17 and use the JDK 17 incubator Vector API.
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
grep -q '^JAVA_VERSION="17' "$jdk/release" 2>/dev/null || die "$jdk is not a JDK 17 (set JAVA_HOME to one)"
[ -x "$jdk/bin/jlink" ] && [ -d "$jdk/jmods" ] || die "$jdk has no jlink or no jmods (install the JDK's jmods)"

junit_version="$(sed -n 's:.*<junit.version>5\.\([0-9.]*\)</junit.version>.*:\1:p' pom.xml)"
[ -n "$junit_version" ] || die "no <junit.version>5.x.y</junit.version> in pom.xml"
console_version="1.$junit_version" # JUnit 5.x.y ships platform 1.x.y
console_jar="$HOME/.m2/repository/org/junit/platform/junit-platform-console-standalone/$console_version/junit-platform-console-standalone-$console_version.jar"
if [ ! -f "$console_jar" ]; then
  say "fetching junit-platform-console-standalone $console_version"
  mvn -q ${MVN_FLAGS:-} -N dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$console_version"
fi

stage="dist/jgrad.tmp"
rm -rf "$stage" && mkdir -p "$stage"/{bin,lib,test,gpu-host}

# ---- lib/: the CLI jar and every runtime dependency
cp cli/target/jgrad-cli.jar cli/target/lib/*.jar "$stage/lib/"
# libJNvPTXCompiler is 24 MB of the 26 MB jcuda-natives jar. jgrad ships PTX and never calls
# nvPTXCompiler: JCuda loads each native in the static initialiser of its own class
# (JCudaDriver loads only libJCudaDriver, JNvPTXCompiler alone loads libJNvPTXCompiler).
for jar in "$stage"/lib/jcuda-natives-*.jar; do
  python3 - "$jar" <<'PY'
import os, sys, zipfile
path = sys.argv[1]
tmp = path + ".tmp"
with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
    for item in src.infolist():
        if "libJNvPTXCompiler" not in item.filename:
            dst.writestr(item, src.read(item.filename))
os.replace(tmp, path)
PY
done

# ---- test/: test classes of every module that has some, and the JUnit console launcher
cp "$console_jar" "$stage/test/junit-platform-console-standalone.jar"
for t in */target/*-tests.jar; do cp "$t" "$stage/test/"; done
cp scripts/dist/run-gpu-tests.sh "$stage/test/"

# ---- runtime/: jlink over the modules jdeps finds in every shipped jar
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
for jar in "$stage"/lib/*.jar "$stage"/test/*.jar; do
  unzip -qo "$jar" -d "$classes" -x 'lib/*' '*.so' '*.dll' '*.dylib' 2>/dev/null || true
done
# Analysed as one class path: several of the jars are modules whose requirements jdeps cannot
# resolve one jar at a time.
find "$classes" -name module-info.class -delete
modules="$("$jdk/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$classes")"
# Found through services or --add-modules, so invisible to jdeps: the Vector API, the jar file
# system (JUnit scans test jars through it: without it, 0 tests are found) and the EC crypto
# provider that TLS needs for `jgrad data fetch`.
modules="$(echo "$modules,jdk.incubator.vector,jdk.zipfs,jdk.crypto.ec" | tr ',' '\n' | sort -u | paste -sd,)"
case ",$modules," in *,java.desktop,*) ;; *) die "jdeps did not find java.desktop, which XChart's PNG export needs";; esac
# --compress=0: what travels is the tgz, and gzip over uncompressed class files beats gzip over
# jimage's per-entry zip by about 6 MB (the image is 77 MB unpacked instead of 51 MB).
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress="${JLINK_COMPRESS:-0}" --output "$stage/runtime" 2>&1 | grep -v 'incubator modules' || true
[ -x "$stage/runtime/bin/java" ] || die "jlink made no runtime"

# ---- bin/, gpu-host/, build info
cp bin/jgrad "$stage/bin/jgrad"  # the repository's launcher: it runs runtime/ on lib/ in this layout
cp scripts/gpu-host/setup-env.sh scripts/gpu-host/probe.sh scripts/gpu-host/soname-bridge.sh "$stage/gpu-host/"
chmod +x "$stage"/bin/jgrad "$stage"/test/*.sh "$stage"/gpu-host/*.sh
{
  echo "commit $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
  echo "jdk $(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jdk/release") modules $modules"
  echo "junit-platform-console-standalone $console_version"
} > "$stage/BUILD-INFO"

rm -rf dist/jgrad && mv "$stage" dist/jgrad
tar -C dist -czf dist/jgrad.tgz.tmp jgrad && mv dist/jgrad.tgz.tmp dist/jgrad.tgz

# ---- dist/data/mnist: gzipped IDX files (jgrad data import takes them; 11 MB instead of 55 MB)
mnist="${JGRAD_DATA:-$HOME/.cache/jgrad}/mnist"
mkdir -p dist/data/mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  if [ -f "$mnist/$f" ] && { [ ! -f "dist/data/mnist/$f.gz" ] || [ "$mnist/$f" -nt "dist/data/mnist/$f.gz" ]; }; then
    gzip -9 -n -c "$mnist/$f" > "dist/data/mnist/$f.gz.tmp" && mv "dist/data/mnist/$f.gz.tmp" "dist/data/mnist/$f.gz"
  fi
done
n_mnist="$(ls dist/data/mnist/*.gz 2>/dev/null | wc -l)"
[ "$n_mnist" = 4 ] || say "warning: MNIST not found in $mnist (run 'bin/jgrad data fetch mnist'); gpu-run.sh will skip training and the PyTorch job"

tgz="$(bytes dist/jgrad.tgz)"
say "runtime $(mib "$(bytes dist/jgrad/runtime)")  lib $(mib "$(bytes dist/jgrad/lib)")  test $(mib "$(bytes dist/jgrad/test)")  dist/jgrad $(mib "$(bytes dist/jgrad)")"
say "modules $modules"
say "dist/jgrad.tgz $(mib "$tgz") ($tgz bytes; limit $max_tgz_bytes)"
carry=$((tgz + $(bytes dist/data)))
tree="$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)"
say "carry dist/jgrad.tgz + dist/data: $(mib "$carry"); with the tracked tree $(mib $((carry + tree))) of the device tool's $(mib $carry_limit_bytes)"
[ "$tgz" -le "$max_tgz_bytes" ] || die "dist/jgrad.tgz is $tgz bytes, over the $max_tgz_bytes limit"
[ $((carry + tree)) -le "$carry_limit_bytes" ] || die "dist/jgrad.tgz + dist/data + the tree exceed 64 MiB"
