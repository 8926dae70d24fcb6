#!/usr/bin/env bash
# Native analysis of the broker without a GraalVM or Mandrel distribution (see ../shared/NATIVE.md):
# runs GraalVM's image builder (org.graalvm.nativeimage:svm from Maven Central) on a Temurin 25 JDK over the
# inputs `./mvnw package -Dnative -Dquarkus.native.sources-only=true` writes, through the complete points-to
# analysis and compilation, and stops after writing the relocatable object (-H:+ExitAfterRelocatableImageWrite).
# Reflection gaps, class-initialisation errors and unsupported features fail it, as they fail a real native build.
# It links nothing: executables come from the Mandrel builder image (src/main/docker/Dockerfile.native-micro).
#
# Environment: JAVA25_HOME (default: the Temurin 25 under /usr/lib/jvm), NATIVE_CHECK_HEAP (builder heap, 8g),
# NATIVE_CHECK_WORK (work directory, target/native-check). Needs gcc and Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
started=$(date +%s)

JAVA25_HOME=${JAVA25_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk* 2>/dev/null | head -1)}
HEAP=${NATIVE_CHECK_HEAP:-8g}
WORK=$(mkdir -p "${NATIVE_CHECK_WORK:-target/native-check}" && cd "${NATIVE_CHECK_WORK:-target/native-check}" && pwd)
BUILDER_JARS=native/target/builder
SOURCES=target/native-sources

if [[ -z "$JAVA25_HOME" || ! -x "$JAVA25_HOME/bin/java" ]]; then
  echo "native/check.sh: no Java 25 JDK (set JAVA25_HOME)" >&2
  exit 2
fi
command -v gcc >/dev/null || { echo "native/check.sh: gcc is needed (the builder compiles C queries)" >&2; exit 2; }

echo "== builder jars (org.graalvm.nativeimage:svm and its dependencies)"
./mvnw -B -q -f native/pom.xml package

echo "== builder inputs (quarkus.native.sources-only)"
rm -rf "$SOURCES"
./mvnw -B -q package -Dnative -Dquarkus.native.sources-only=true -DskipTests

# Missing reflection shows only at run time, so check it here: every broker class bound by Jackson (it carries
# Jackson annotations) must be registered for reflection in the runner jar Quarkus generated.
echo "== reflection registrations of the broker's JSON types"
REFLECT="$WORK/reflect-config"
rm -rf "$REFLECT" && mkdir -p "$REFLECT"
(cd "$REFLECT" && "$JAVA25_HOME/bin/jar" xf "$(ls "$ROOT/$SOURCES"/*-runner.jar)" META-INF/native-image/reflect-config.json)
unregistered=0
checked=0
while read -r file; do
  checked=$((checked + 1))
  class=${file#target/classes/}; class=${class%.class}; class=${class//\//.}
  if ! grep -qF "\"name\":\"$class\"" "$REFLECT/META-INF/native-image/reflect-config.json"; then
    echo "not registered for reflection: $class" >&2
    unregistered=$((unregistered + 1))
  fi
done < <(grep -rl --include='*.class' 'com/fasterxml/jackson/annotation/Json' target/classes)
if [[ $unregistered -ne 0 ]]; then
  echo "native/check.sh: $unregistered JSON type(s) would fail at run time in a native executable" >&2
  exit 1
fi
echo "$checked JSON types, all registered for reflection"

# A JDK the builder can treat as its GraalVM home: the builder loads lib/svm/builder/lib/libreporterchelper.so
# from java.home. /usr/lib/jvm is not ours to write, so the JDK is mirrored under the work directory with hard links (no extra disk where the file
# system allows them, a full copy of about 300 MB where it does not) and the additions go into the mirror only.
echo "== JDK mirror with the builder's native library"
JDK="$WORK/jdk"
if ! cmp -s "$JAVA25_HOME/release" "$JDK/release" 2>/dev/null; then
  rm -rf "$JDK"
  cp -al "$JAVA25_HOME" "$JDK" 2>/dev/null || { rm -rf "$JDK"; cp -a "$JAVA25_HOME" "$JDK"; }
fi
mkdir -p "$JDK/lib/svm/builder/lib"
rm -f "$JDK/lib/svm/builder/lib/libreporterchelper.so" # never write through a hard link into the original
gcc -shared -fPIC -O2 -I"$JDK/include" -I"$JDK/include/linux" native/reporterchelper.c \
  -o "$JDK/lib/svm/builder/lib/libreporterchelper.so"
# The headers the builder's C queries include (a GraalVM ships them in its C library path).
CLIBRARIES="$WORK/clibraries"
"$JDK/bin/java" native/BuilderInvocation.java headers "$BUILDER_JARS" "$CLIBRARIES"

echo "== image builder: analysis and compilation"
OUT="$WORK/out"
rm -rf "$OUT" "$WORK/tmp" && mkdir -p "$OUT" "$WORK/tmp"
"$JDK/bin/java" native/BuilderInvocation.java args "$SOURCES" "$BUILDER_JARS" "$CLIBRARIES" "$OUT" "$HEAP" \
  "$WORK/builder-jvm.args" "$WORK/builder-image.args"
# GNU time measures the builder's peak memory where it is installed (Debian package `time`).
measure=()
[[ -x /usr/bin/time ]] && measure=(/usr/bin/time -v -o "$WORK/builder-time.txt")
rm -f "$WORK/builder-time.txt"
set +e
(cd "$SOURCES" && env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 \
  USE_NATIVE_IMAGE_JAVA_PLATFORM_MODULE_SYSTEM=true DRIVER_TEMP_DIR_ENV_VARIABLE="$WORK/tmp" \
  "${measure[@]}" \
  "$JDK/bin/java" @"$WORK/builder-jvm.args" --image-args-file="$WORK/builder-image.args") 2>&1 | tee "$WORK/builder.log"
status=${PIPESTATUS[0]}
set -e

echo "== summary"
peak_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/builder-time.txt" 2>/dev/null || true)
stats=$(ls "$SOURCES"/*-build-output-stats.json 2>/dev/null | head -1 || true)
if [[ -n "$stats" ]]; then
  for kind in types methods; do
    grep -o "\"$kind\":{[^}]*}" "$stats" | head -1 |
      sed -E 's/.*"total":([0-9]+).*"reachable":([0-9]+).*/reachable '"$kind"': \2 of \1/'
  done
fi
[[ -n "$peak_kb" ]] && echo "builder peak memory (RSS, GNU time): $(( peak_kb / 1024 )) MB"
echo "wall time: $(( $(date +%s) - started )) s"
if [[ $status -ne 0 ]]; then
  echo "native/check.sh: the image builder failed (exit $status); see $WORK/builder.log" >&2
  exit "$status"
fi
object=$(find "$OUT" -name '*.o' -size +1M 2>/dev/null | head -1)
if [[ -z "$object" ]]; then
  echo "native/check.sh: the builder wrote no relocatable object; see $WORK/builder.log" >&2
  exit 1
fi
echo "relocatable object: $object ($(( $(stat -c %s "$object") / 1048576 )) MB, not linked)"
echo "native/check.sh: native analysis and compilation passed"
