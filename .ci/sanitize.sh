#!/usr/bin/env bash
# CI stage: AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Builds convx with -fsanitize=address,undefined (asserts on: CONVX_DEBUG=1) in place in a
# throw-away copy of the sources with its own fresh virtual environment, so the main install is
# not touched. Then runs the default test suite once per ISA this machine supports (CONVX_ISA),
# and the slow differential fuzz run (tests/test_fuzz.py) under the best ISA with a time budget.
# The interpreter is not instrumented, so libasan is LD_PRELOADed (it must come first).
#
# Fails on any sanitizer report, not only on test failures: pytest captures stderr and
# subprocess tests may swallow it, so
# - ASan reports go to log files (log_path) and the stage fails if any such file appears;
# - UBSan (GCC's libubsan next to a preloaded libasan ignores log_path, checked with gcc 12)
#   writes to stderr: pytest runs with --capture=sys, so the C-level stderr of the test process
#   reaches the stage's output, which is scanned for reports;
# - halt_on_error/abort_on_error make the first report kill the process: pytest then fails, and
#   a report in a child process (whose stderr a subprocess test captures) kills the child, which
#   the test notices through the exit status (every subprocess test here asserts it).
# Leak checking is off (detect_leaks=0): CPython's arenas and interned objects live until exit
# and would be reported as leaks, which is noise, not a convx bug. allocator_may_return_null=1:
# an impossible allocation returns NULL (NumPy raises MemoryError, which a test checks) instead
# of ASan aborting.
#
# Environment: CONVX_FUZZ_SECONDS (default 180) is the fuzz run's total time budget.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
src="$work/src"
logs="$work/logs"
mkdir -p "$src" "$logs"

echo "== sanitizer stage: copy of the sources in $src"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    # tracked and new (not ignored) files as they are in the working tree; no build products
    git -C "$root" ls-files -z --cached --others --exclude-standard |
        (cd "$root" && xargs -0 cp --parents -t "$src")
else
    tar -C "$root" --exclude=./build --exclude='*.so' --exclude='./convx/_*.c' -cf - . |
        tar -C "$src" -xf -
fi

python3 -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
python -m pip install --quiet --upgrade pip
# build requirements (no build isolation: setup.py runs in this venv) and the test extras
reqs="$(python - "$src/pyproject.toml" <<'EOF'
import sys
try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib
with open(sys.argv[1], "rb") as f:
    d = tomllib.load(f)
print("\n".join(d["build-system"]["requires"] + d["project"]["optional-dependencies"]["test"]))
EOF
)"
mapfile -t reqs <<<"$reqs"
python -m pip install --quiet "${reqs[@]}"

san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
echo "== sanitized build: CONVX_DEBUG=1 CFLAGS=\"$san\""
(cd "$src" && CONVX_DEBUG=1 CFLAGS="$san" LDFLAGS="-fsanitize=address,undefined" \
    python setup.py build_ext --inplace -j 2 >"$work/build.log" 2>&1) ||
    { tail -50 "$work/build.log"; exit 1; }

cd "$src"
# the stage must not pass by testing an uninstrumented build
for so in convx/_*.so; do
    ldd "$so" | grep -q libasan || { echo "FAILED: $so is not linked with libasan"; exit 1; }
done
export LD_PRELOAD="$("${CC:-gcc}" -print-file-name=libasan.so)"
export ASAN_OPTIONS="log_path=$logs/asan:halt_on_error=1:abort_on_error=1:detect_leaks=0:allocator_may_return_null=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1:abort_on_error=1"
python -c "import convx, os, sys; f = convx.__file__
sys.exit(0) if f.startswith(os.getcwd()) else sys.exit('imported the wrong convx: ' + f)"
isas="$(python -c "import convx; c = convx.get_config()
print(' '.join(i for i in c['isa_compiled'] if i in c['isa_supported']))")"
echo "== ISAs compiled and supported here: $isas"

# --capture=sys: Python output is still captured, but C-level stderr (a failed assert's message,
# "Fatal Python error" tracebacks) reaches the log even when the process aborts.
# test_cli_quick_end_to_end runs the whole --quick benchmark (~100 s per ISA under ASan, 3-10x
# slower than a normal build): left to the main suite to keep this stage within its budget.
pytest_args=(-q -p no:cacheprovider --capture=sys
             --deselect tests/test_bench.py::test_cli_quick_end_to_end)
fail=0
run_pytest() {   # pytest "$@"; fails on a test failure or on a sanitizer report in its output
    local rc
    python -m pytest "${pytest_args[@]}" "$@" 2>&1 | tee "$work/pytest.out"
    rc=${PIPESTATUS[0]}
    if grep -qE "runtime error:|ERROR: AddressSanitizer|SUMMARY: [A-Za-z]+Sanitizer" "$work/pytest.out"; then
        echo "FAILED: sanitizer report in the test output"
        rc=1
    fi
    return "$rc"
}
# allocator_may_return_null still logs "failed to allocate" for the impossible allocations a
# test makes on purpose: those lines alone are not a report
alloc_warning='^==[0-9]+==WARNING: AddressSanitizer failed to allocate 0x[0-9a-f]+ bytes$'
reports() {   # print and count sanitizer logs; a log file means a report
    local n=0 f
    for f in "$logs"/*; do
        [ -e "$f" ] || continue
        grep -qvE "$alloc_warning" "$f" || { rm -f "$f"; continue; }
        n=$((n + 1))
        echo "---- sanitizer report $f"
        head -60 "$f"
    done
    return $((n > 0))
}
for isa in $isas; do
    echo "== default suite under ASan+UBSan, CONVX_ISA=$isa"
    CONVX_ISA="$isa" run_pytest || { echo "FAILED: pytest (CONVX_ISA=$isa)"; fail=1; }
    reports || { echo "FAILED: sanitizer reports (CONVX_ISA=$isa)"; fail=1; rm -f "$logs"/*; }
done

best="${isas##* }"
echo "== differential fuzz run (tests/test_fuzz.py), CONVX_ISA=$best, CONVX_FUZZ_SECONDS=${CONVX_FUZZ_SECONDS:=180}"
CONVX_ISA="$best" CONVX_FUZZ_SECONDS="$CONVX_FUZZ_SECONDS" run_pytest -m slow tests/test_fuzz.py ||
    { echo "FAILED: fuzz run"; fail=1; }
reports || { echo "FAILED: sanitizer reports (fuzz run)"; fail=1; }

if [ "$fail" -ne 0 ]; then
    echo "== sanitizer stage FAILED"
    exit 1
fi
echo "== sanitizer stage passed: no sanitizer reports, no test failures"
