# Sourced by the benches. build_if_stale (re)builds the jar and the classes when the jar or this bench's classes are
# missing or older than the sources. A bench's own code is under src/test, which does not touch the
# jar: a stamp per bench (target/bench-NAME/.built) marks the last build made for it.
# Usage: build_if_stale NAME
build_if_stale() {
  local stamp="target/bench-$1/.built"
  if [ ! -f target/device-action-bridge.jar ] || [ ! -f "$stamp" ] || [ target/device-action-bridge.jar -nt "$stamp" ] \
     || [ -n "$(find src routes config pom.xml -newer "$stamp" -print -quit)" ]; then
    # clean: a source deleted since the last build (an experiment's migration, say) must not stay behind in
    # target/classes and in the jar, which `package` alone would leave there
    mvn -B -q -DskipTests clean package
    mkdir -p "target/bench-$1" && touch "$stamp"
  fi
}

# Runs a bench's main class on the main and test classes and the runtime libraries only (no JUnit):
# arguments -Dkey=value go to the JVM, the others (scenarios) to the bench.
# Usage: run_bench CLASS "$@"
run_bench() {
  local main=$1 jvm=() scenarios=()
  shift
  for arg in "$@"; do
    case "$arg" in
      -D*) jvm+=("$arg") ;;
      *) scenarios+=("$arg") ;;
    esac
  done
  exec java "${jvm[@]}" -cp "target/classes:target/test-classes:target/lib/*" "$main" "${scenarios[@]}"
}
